"""The event page names the earlier article whose sentences an article repeats (text reuse)."""
from __future__ import annotations

from pathlib import Path

from api._client import TOKEN, Client, copy_store

WIRE = ["Floods closed the main road into the Portuguese city of Porto on Friday after two days "
        "of heavy rain, the regional civil protection office said.",
        "Two bridges over the Douro river were damaged by the water and will stay closed until "
        "engineers have inspected them, the mayor told reporters.",
        "About two hundred residents of the riverside district spent the night in a sports hall."]


def test_the_event_page_says_who_repeats_whose_sentences(tmp_path: Path, demo_db: Path) -> None:
    from newsweave.api import create_app
    from newsweave.config import Settings

    db = copy_store(demo_db, tmp_path)
    app = create_app(Settings(db=str(db), token=TOKEN))
    client = Client(app)
    wire = {"id": "wire-porto", "outlet": "Wire Agency", "title": "Floods close road into Porto",
            "published": "2024-03-01T08:00:00Z", "language": "en", "text": " ".join(WIRE)}
    paper = {"id": "paper-porto", "outlet": "Daily Paper", "title": "Porto cleans up after floods",
             "published": "2024-03-01T15:00:00Z", "language": "en",
             "text": "Shopkeepers in Porto began clearing mud from the old town on Friday "
                     "afternoon as the water went down. " + " ".join(WIRE[:2])}
    r = client.post("/api/ingest", json={"articles": [wire, paper]},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text[:500]
    store = app.state.newsweave.store
    event = store.event_of_article("paper-porto")[0]
    assert event is not None and store.event_of_article("wire-porto")[0] == event
    report = client.get(f"/api/events/{event}/report").json()
    rows = {c["article"]: c for c in report["coverage"]}
    assert rows["paper-porto"]["reuses"] == [{"article": "wire-porto", "sentences": 2,
                                              "share": 0.667}]
    page = client.get(f"/events/{event}").text
    num = [a["id"] for a in report["articles"]].index("wire-porto") + 1
    assert f'repeats 2 sentences of <a class="ref" href="#art-{num}"' in page
    store.close()
