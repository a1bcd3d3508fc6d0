"""Name normalisation shared by the entity stages: transliteration, folding, keys and a gazetteer.

A *key* is what two spellings of one name have in common: Cyrillic romanised (BGN/PCGN, the
scheme English-language press follows; Ukrainian national scheme for Ukrainian letters),
accents folded, case folded, punctuation dropped, British/American spellings unified, and a
little phonetic slack (y = i, doubled letters single) so that "Zelensky", "Zelenskyy" and
"Зеленский" agree. The gazetteer is deliberately small: countries, capitals, a few major
organisations and well-known people, each with its exonyms in a few languages and scripts.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from newsweave.models import EntityType

__all__ = [
    "GazetteerEntry", "TITLE_WORDS", "transliterate", "fold", "name_key", "gazetteer_lookup",
    "gazetteer_surname", "gazetteer_person_fuzzy", "gazetteer_variants", "strip_titles",
    "edit_distance_le1", "has_cyrillic", "is_title",
]

_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# Ukrainian national romanisation (2010) differs on a few letters: г=h, и=y, і=i, ї=i, є=ie.
_UK = {**_RU, "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "i", "є": "ie", "'": "", "’": ""}
_UK_INITIAL = {"є": "ye", "ї": "yi", "ю": "yu", "я": "ya", "й": "y"}
_UK_LETTERS = set("іїєґ")
_VOWELS_CYR = set("аеёиоуыэюяіїєьъ")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def has_cyrillic(text: str) -> bool:
    """True when the text contains at least one Cyrillic letter."""
    return bool(_CYRILLIC.search(text))


def transliterate(text: str, language: str | None = None) -> str:
    """Romanise Cyrillic (Russian BGN/PCGN, Ukrainian national scheme); other text unchanged."""
    if not has_cyrillic(text):
        return text
    lower = text.lower()
    ukrainian = language == "uk" or any(c in _UK_LETTERS for c in lower)
    table = _UK if ukrainian else _RU
    out: list[str] = []
    for i, ch in enumerate(text):
        lo = lower[i]
        prev = lower[i - 1] if i else " "
        initial = not prev.isalpha() or prev in _VOWELS_CYR
        if lo not in table and lo not in _UK_INITIAL:
            out.append(ch)
            continue
        if ukrainian and initial and lo in _UK_INITIAL and not prev.isalpha():
            rom = _UK_INITIAL[lo]
        elif not ukrainian and lo == "е" and initial:
            rom = "ye"  # BGN/PCGN: Yevgeny, Yeltsin
        elif not ukrainian and lo in ("ы", "и") and lower[i + 1:i + 2] == "й" and (
            i + 2 >= len(lower) or not lower[i + 2].isalpha()
        ):
            rom = "y"  # -ый/-ий endings as the press writes them: Dmitry, Zelensky
            out.append(rom.upper() if ch != lo else rom)
            continue
        elif not ukrainian and lo == "й" and prev in ("ы", "и") and (
            i + 1 >= len(lower) or not lower[i + 1].isalpha()
        ):
            continue
        else:
            rom = table.get(lo, "")
        if ch != lo and rom:  # keep capitalisation for display: Путин -> Putin
            nxt = text[i + 1:i + 2]
            rom = rom.upper() if (nxt.isupper() and len(rom) > 1) else rom[0].upper() + rom[1:]
        out.append(rom)
    return "".join(out)


# British/American spellings that show up in institution names and titles.
_SPELLING = {"defence": "defense", "organisation": "organization", "centre": "center",
             "programme": "program", "labour": "labor", "offence": "offense"}
_DOTS = re.compile(r"(?<=\w)\.(?=\w|\s|$)|\.(?=\w)")
_NON_WORD = re.compile(r"[\W_]+")
_POSSESSIVE = re.compile(r"['’`]s?$")


def fold(text: str, language: str | None = None) -> str:
    """Romanised, accent-less, case-folded, punctuation-free form of a name."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = _POSSESSIVE.sub("", t)
    t = transliterate(t, language)
    t = unicodedata.normalize("NFKD", t)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.casefold().replace("ß", "ss")
    t = _DOTS.sub("", t)  # U.S. -> us, U.N. -> un
    return _NON_WORD.sub(" ", t).strip()


def _loose(token: str) -> str:
    token = _SPELLING.get(token, token)
    token = token.replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", token)


_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,6}$")


@lru_cache(maxsize=65536)
def name_key(text: str, language: str | None = None) -> str:
    """Matching key of a name: folded, with spelling and transliteration slack.

    An acronym gets no slack: doubled letters carry meaning there ("EEUU" is the United States,
    "EU" the European Union; "BBC" is not "B.C.")."""
    if _ACRONYM.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).strip())):
        return fold(text, language)
    return " ".join(_loose(t) for t in fold(text, language).split())


# ---- titles ---------------------------------------------------------------------------------

# Words that, before a name, say "a person follows" and are not part of the name itself.
TITLE_WORDS = frozenset("""
president vice prime minister ministers secretary chancellor premier king queen prince princess
pope general gen lieutenant colonel col major maj captain capt admiral commander chief
mr mrs ms miss dr prof professor sir dame lord lady sen senator rep representative gov governor
mayor chairman chairwoman chair director ambassador judge justice sheikh emir sultan ayatollah
cardinal bishop rev reverend spokesman spokeswoman spokesperson
foreign defence defense interior finance economy health justice trade deputy acting former
leader head boss ceo founder coach striker midfielder defender goalkeeper officer sergeant
agent detective inspector commissioner envoy minister-president crown state
président présidente ministre chancelier premier-ministre roi reine général monsieur madame
präsident präsidentin kanzler kanzlerin bundeskanzler ministerin herr frau
presidente ministro ministra canciller rey reina señor señora
президент премьер министр глава генсек генеральный секретарь госсекретарь канцлер король
""".split())


_TITLE_SUFFIXES = ("minister", "ministerin", "präsident", "präsidentin", "president", "kanzler", "министр")


def is_title(token: str) -> bool:
    """A word that announces a person: "President", "Mr.", "Verteidigungsminister"."""
    t = token.strip(".,").casefold()
    return t in TITLE_WORDS or (len(t) > 9 and t.endswith(_TITLE_SUFFIXES))


def strip_titles(text: str) -> str:
    """Drop leading titles ("Defence Minister", "President", "Mr.") from a person name."""
    tokens = text.split()
    # Cut after the last title word so that nationality adjectives before it go too
    # ("Chinese Defence Minister Li Shangfu" -> "Li Shangfu"); the last token always stays.
    cut = 0
    for i, tok in enumerate(tokens[:-1]):
        if is_title(tok):
            cut = i + 1
    return " ".join(tokens[cut:])


def edit_distance_le1(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


# ---- gazetteer ------------------------------------------------------------------------------

@dataclass(frozen=True)
class GazetteerEntry:
    """One well-known thing: its English name, type, and the surnames that alone name it."""

    name: str
    type: EntityType
    variants: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()  # for people whose surname alone is unambiguous in the news


_LOC = (
    ("Russia", "Russie|Russland|Rusia|Russian Federation|Россия|Российская Федерация|Росія|俄罗斯|俄羅斯|روسيا"),
    ("China", "Chine|Volksrepublik China|People's Republic of China|PRC|Китай|КНР|中国|中國|الصين"),
    ("Ukraine", "Ucrania|Ucraina|Украина|Україна|乌克兰|烏克蘭|أوكرانيا"),
    ("United States", "United States of America|USA|US|U.S.|U.S.A.|America|États-Unis|Etats-Unis|"
                      "Vereinigte Staaten|USA|Estados Unidos|EEUU|EE.UU.|США|Соединённые Штаты|"
                      "Соединенные Штаты|美国|美國|الولايات المتحدة"),
    ("United Kingdom", "UK|U.K.|Britain|Great Britain|Royaume-Uni|Grande-Bretagne|Vereinigtes Königreich|"
                       "Großbritannien|Reino Unido|Великобритания|Британия|英国|英國|المملكة المتحدة|بريطانيا"),
    ("France", "Frankreich|Francia|Франция|法国|法國|فرنسا"),
    ("Germany", "Allemagne|Deutschland|Alemania|Germania|Германия|ФРГ|德国|德國|ألمانيا"),
    ("Italy", "Italie|Italien|Italia|Италия|意大利|إيطاليا"),
    ("Spain", "Espagne|Spanien|España|Spagna|Испания|西班牙|إسبانيا"),
    ("Japan", "Japon|Japón|Giappone|Япония|日本|اليابان"),
    ("India", "Inde|Indien|Индия|印度|الهند"),
    ("Iran", "Иран|伊朗|إيران"),
    ("Israel", "Israël|Израиль|以色列|إسرائيل"),
    ("Turkey", "Türkiye|Turquie|Türkei|Turquía|Turchia|Турция|土耳其|تركيا"),
    ("Poland", "Pologne|Polen|Polonia|Польша|波兰|بولندا"),
    ("Belarus", "Biélorussie|Weißrussland|Belarús|Bielorrusia|Беларусь|Белоруссия|白俄罗斯|بيلاروسيا"),
    ("Syria", "Syrie|Syrien|Siria|Сирия|叙利亚|سوريا"),
    ("Iraq", "Irak|Ирак|伊拉克|العراق"),
    ("Afghanistan", "Afganistán|Афганистан|阿富汗|أفغانستان"),
    ("Pakistan", "Pakistán|Пакистан|巴基斯坦|باكستان"),
    ("Saudi Arabia", "Arabie saoudite|Saudi-Arabien|Arabia Saudita|Arabia Saudí|Саудовская Аравия|沙特阿拉伯|السعودية"),
    ("Egypt", "Égypte|Ägypten|Egipto|Egitto|Египет|埃及|مصر"),
    ("North Korea", "Corée du Nord|Nordkorea|Corea del Norte|КНДР|Северная Корея|朝鲜|كوريا الشمالية"),
    ("South Korea", "Corée du Sud|Südkorea|Corea del Sur|Южная Корея|韩国|韓國|كوريا الجنوبية"),
    ("Taiwan", "Taïwan|Taiwán|Тайвань|台湾|臺灣|تايوان"),
    ("Brazil", "Brésil|Brasilien|Brasil|Бразилия|巴西|البرازيل"),
    ("Canada", "Kanada|Canadá|Канада|加拿大|كندا"),
    ("Mexico", "Mexique|Mexiko|México|Мексика|墨西哥|المكسيك"),
    ("Australia", "Australie|Australien|Австралия|澳大利亚|أستراليا"),
    ("Indonesia", "Indonésie|Indonesien|Индонезия|印度尼西亚|إندونيسيا"),
    ("Moscow", "Moscou|Moskau|Moscú|Mosca|Москва|莫斯科|موسكو"),
    ("Beijing", "Pékin|Peking|Pekín|Pechino|Пекин|北京|بكين"),
    ("Kyiv", "Kiev|Kiew|Kijów|Kíev|Kiev|Киев|Київ|基辅|كييف"),
    ("Washington", "Washington, D.C.|Washington D.C.|Вашингтон|华盛顿|واشنطن"),
    ("London", "Londres|Londra|Лондон|伦敦|لندن"),
    ("Paris", "París|Parigi|Париж|巴黎|باريس"),
    ("Berlin", "Berlín|Берлин|柏林|برلين"),
    ("Rome", "Rom|Roma|Рим|罗马|روما"),
    ("Madrid", "Мадрид|马德里|مدريد"),
    ("Tokyo", "Tokio|Токио|东京|東京|طوكيو"),
    ("New Delhi", "New Delhi|Нью-Дели|新德里|نيودلهي"),
    ("Tehran", "Téhéran|Teheran|Teherán|Тегеран|德黑兰|طهران"),
    ("Jerusalem", "Jérusalem|Jerusalén|Gerusalemme|Иерусалим|耶路撒冷|القدس"),
    ("Ankara", "Анкара|安卡拉|أنقرة"),
    ("Warsaw", "Varsovie|Warschau|Varsovia|Варшава|华沙|وارسو"),
    ("Minsk", "Минск|明斯克|مينسك"),
    ("Damascus", "Damas|Damaskus|Damasco|Дамаск|大马士革|دمشق"),
    ("Baghdad", "Bagdad|Багдад|巴格达|بغداد"),
    ("Cairo", "Le Caire|Kairo|El Cairo|Il Cairo|Каир|开罗|القاهرة"),
    ("Pyongyang", "Pjöngjang|Pionyang|Пхеньян|平壤|بيونغيانغ"),
    ("Seoul", "Séoul|Seúl|Сеул|首尔|سيول"),
    ("Taipei", "Taipeh|Taipéi|Тайбэй|台北|تايبيه"),
    ("Brussels", "Bruxelles|Brüssel|Bruselas|Bruxelles|Брюссель|布鲁塞尔|بروكسل"),
    ("Gaza", "Gaza Strip|Bande de Gaza|Gazastreifen|Газа|сектор Газа|加沙|غزة"),
    ("Europe", "Europa|Европа|欧洲|أوروبا"),
)
_ORG = (
    ("NATO", "Nato|North Atlantic Treaty Organization|North Atlantic Treaty Organisation|OTAN|НАТО|北约|الناتو"),
    ("United Nations", "UN|U.N.|ONU|Vereinte Nationen|Naciones Unidas|Nazioni Unite|ООН|联合国|الأمم المتحدة"),
    ("European Union", "EU|E.U.|Union européenne|UE|Europäische Union|Unión Europea|Unione europea|"
                       "Евросоюз|Европейский союз|ЕС|欧盟|الاتحاد الأوروبي"),
    ("CIA", "Central Intelligence Agency|ЦРУ|中央情报局"),
    ("FBI", "Federal Bureau of Investigation|ФБР|联邦调查局"),
    ("Kremlin", "Кремль|克里姆林宫|الكرملين"),
    ("White House", "Maison Blanche|Weißes Haus|Casa Blanca|Casa Bianca|Белый дом|白宫|البيت الأبيض"),
    ("Pentagon", "Pentagone|Pentágono|Пентагон|五角大楼|البنتاغون"),
    ("World Health Organization", "WHO|World Health Organisation|OMS|Weltgesundheitsorganisation|ВОЗ|世界卫生组织"),
    ("International Monetary Fund", "IMF|FMI|IWF|МВФ|国际货币基金组织"),
    ("World Bank", "Banque mondiale|Weltbank|Banco Mundial|Всемирный банк|世界银行"),
    ("Hamas", "Хамас|哈马斯|حماس"),
    ("Reuters", "Рейтер|Рейтерс|路透社"),
    ("Agence France-Presse", "AFP|Франс Пресс|法新社"),
    ("Associated Press", "AP|Ассошиэйтед Пресс|美联社"),
    ("TASS", "ТАСС|塔斯社"),
    ("Xinhua", "Xinhua News Agency|Синьхуа|新华社"),
    ("NASA", "Nasa|National Aeronautics and Space Administration|НАСА|美国国家航空航天局"),
    ("Google", "Гугл|谷歌"),
    ("Facebook", "Фейсбук|脸书"),
    ("Twitter", "Твиттер|推特"),
    ("YouTube", "Youtube|Ютуб"),
    ("Microsoft", "Майкрософт|微软"),
    ("SpaceX", "Space X"),
)
# (English name, variants, surnames that alone name this person in the news)
_PER = (
    ("Vladimir Putin", "Vladimir Poutine|Wladimir Putin|Vladímir Putin|Władimir Putin|Владимир Путин|"
                       "Владимир Владимирович Путин|弗拉基米尔·普京|فلاديمير بوتين",
     "Putin|Poutine|Путин|普京|بوتين"),
    ("Xi Jinping", "习近平|習近平|Си Цзиньпин|شي جين بينغ", "Xi|Си"),
    ("Volodymyr Zelensky", "Volodymyr Zelenskyy|Volodymyr Zelenskiy|Volodymyr Zelenski|Wolodymyr Selenskyj|"
                           "Vladimir Zelensky|Владимир Зеленский|Володимир Зеленський|泽连斯基",
     "Zelensky|Zelenskyy|Zelenskiy|Zelenski|Selenskyj|Зеленский|Зеленський|泽连斯基"),
    ("Joe Biden", "Joseph Biden|Joseph R. Biden|Джо Байден|乔·拜登|جو بايدن", "Biden|Байден|拜登"),
    ("Donald Trump", "Donald J. Trump|Дональд Трамп|唐纳德·特朗普|دونالد ترامب", "Trump|Трамп|特朗普"),
    ("Emmanuel Macron", "Эмманюэль Макрон|埃马纽埃尔·马克龙", "Macron|Макрон|马克龙"),
    ("Olaf Scholz", "Олаф Шольц|奥拉夫·朔尔茨", "Scholz|Шольц"),
    ("Recep Tayyip Erdogan", "Recep Tayyip Erdoğan|Реджеп Тайип Эрдоган|埃尔多安", "Erdogan|Erdoğan|Эрдоган"),
    ("Sergei Lavrov", "Sergey Lavrov|Sergueï Lavrov|Sergej Lawrow|Сергей Лавров", "Lavrov|Lawrow|Лавров"),
    ("Sergei Shoigu", "Sergey Shoygu|Sergueï Choïgou|Sergej Schoigu|Сергей Шойгу", "Shoigu|Choïgou|Schoigu|Шойгу"),
    ("Dmitry Peskov", "Dmitri Peskov|Dmitri Peskow|Дмитрий Песков", "Peskov|Peskow|Песков"),
    ("Dmitry Medvedev", "Dmitri Medvedev|Dmitri Medwedew|Dmitri Medvedev|Дмитрий Медведев", ""),
    ("Alexei Navalny", "Alexeï Navalny|Alexej Nawalny|Alexey Navalny|Алексей Навальный",
     "Navalny|Nawalny|Навальный"),
    ("Yevgeny Prigozhin", "Evgueni Prigojine|Jewgeni Prigoschin|Yevgeniy Prigozhin|Евгений Пригожин",
     "Prigozhin|Prigojine|Prigoschin|Пригожин"),
    ("Alexander Lukashenko", "Alexandre Loukachenko|Alexander Lukaschenko|Aliaksandr Lukashenka|Александр Лукашенко",
     "Lukashenko|Loukachenko|Lukaschenko|Лукашенко"),
    ("Li Qiang", "李强|Ли Цян", ""),
    ("Li Shangfu", "李尚福|Ли Шанфу", ""),
    ("Wang Yi", "王毅|Ван И", ""),
    ("William Burns", "William J. Burns|Уильям Бернс", ""),
    ("Antony Blinken", "Anthony Blinken|Энтони Блинкен|布林肯", "Blinken|Блинкен"),
    ("Lloyd Austin", "Ллойд Остин", ""),
    ("Jens Stoltenberg", "Йенс Столтенберг|斯托尔滕贝格", "Stoltenberg|Столтенберг"),
    ("Benjamin Netanyahu", "Benyamin Netanyahou|Benjamin Netanjahu|Биньямин Нетаньяху|内塔尼亚胡",
     "Netanyahu|Netanyahou|Netanjahu|Нетаньяху"),
    ("Narendra Modi", "Нарендра Моди|莫迪", "Modi|Моди"),
    ("Kim Jong Un", "Kim Jong-un|Kim Jong-Un|Kim Jong-un|金正恩|김정은|Ким Чен Ын", ""),
    ("Rishi Sunak", "Риши Сунак", "Sunak|Сунак"),
    ("Ursula von der Leyen", "Урсула фон дер Ляйен", "von der Leyen"),
    ("António Guterres", "Antonio Guterres|Антониу Гутерреш|古特雷斯", "Guterres|Гутерреш"),
)


def _split(s: str) -> tuple[str, ...]:
    return tuple(v for v in s.split("|") if v)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, GazetteerEntry], dict[str, GazetteerEntry], list[GazetteerEntry]]:
    by_key: dict[str, GazetteerEntry] = {}
    by_surname: dict[str, GazetteerEntry] = {}
    people: list[GazetteerEntry] = []
    for etype, rows in (("LOC", _LOC), ("ORG", _ORG)):
        for name, variants in rows:
            entry = GazetteerEntry(name, etype, _split(variants))  # type: ignore[arg-type]
            for v in (name, *entry.variants):
                by_key.setdefault(name_key(v), entry)
    for name, variants, surnames in _PER:
        entry = GazetteerEntry(name, "PER", _split(variants), _split(surnames))
        people.append(entry)
        for v in (name, *entry.variants):
            by_key.setdefault(name_key(v), entry)
        for s in entry.surnames:
            by_surname.setdefault(name_key(s), entry)
    return by_key, by_surname, people


def gazetteer_lookup(name: str, language: str | None = None) -> GazetteerEntry | None:
    """The gazetteer entry a full name or exonym denotes, if any."""
    return _gazetteer()[0].get(name_key(name, language))


def gazetteer_surname(name: str, language: str | None = None) -> GazetteerEntry | None:
    """The well-known person a lone, unambiguous surname denotes ("Poutine" -> Vladimir Putin)."""
    return _gazetteer()[1].get(name_key(name, language))


def gazetteer_person_fuzzy(name: str, language: str | None = None) -> GazetteerEntry | None:
    """A well-known person whose surname matches and whose given name is one edit away."""
    tokens = name_key(name, language).split()
    if len(tokens) < 2:
        return None
    found = None
    for entry in _gazetteer()[2]:
        for v in (entry.name, *entry.variants):
            vt = name_key(v).split()
            if len(vt) == len(tokens) and vt[-1] == tokens[-1] and vt[:-2] == tokens[:-2] and (
                len(vt[-2]) >= 4 and edit_distance_le1(vt[-2], tokens[-2])
            ):
                if found is not None and found is not entry:
                    return None  # two candidates: no evidence to pick one
                found = entry
    return found


def gazetteer_variants() -> list[tuple[str, GazetteerEntry]]:
    """Every (surface form, entry) pair, for scanning raw text in the rule-based fallback."""
    _, _, people = _gazetteer()
    out: list[tuple[str, GazetteerEntry]] = []
    for etype, rows in (("LOC", _LOC), ("ORG", _ORG)):
        for name, _v in rows:
            entry = _gazetteer()[0][name_key(name)]
            out.extend((v, entry) for v in (name, *entry.variants))
    for entry in people:
        out.extend((v, entry) for v in (entry.name, *entry.variants, *entry.surnames))
    return out
