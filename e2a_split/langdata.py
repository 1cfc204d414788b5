"""Per-language data: titles that never end a sentence, abbreviations and
their spoken forms, month names. Keys are ISO 639-1 codes."""
from __future__ import annotations

# Abbreviations written before a name: they never end a sentence.
TITLES = {
    "en": "Mr. Mrs. Ms. Dr. Prof. St. Mt. Capt. Col. Gen. Lt. Sgt. Rev. Hon. Gov. Sen. Rep. Messrs. Fr. Sr. Jr. No. Nos. vs. e.g. i.e. cf. Jan. Feb. Mar. Apr. Aug. Sept. Sep. Oct. Nov. Dec. p. pp. Vol. vol. ch. Ch. fig. Fig.",
    "fr": "M. MM. Mme. Mlle. Dr. Pr. Me. St. Ste. p. pp. cf. vol. ch. fig. env. av. apr. n°",
    "de": "Fa. Hr. Hrn. Fr. Dr. Prof. St. Nr. S. z. B. d. h. u. a. v. n. Chr. bzw. ca. vgl. Str. Bd. Abb. Kap.",
    "es": "Sr. Sra. Srta. Sres. Dr. Dra. D. Dña. Ud. Uds. Vd. Vds. p. pág. núm. S. Sto. Sta. Prof. vol. cap. fig. ej.",
    "it": "Sig. Sig.ra Sig.na Sigg. Dott. Dott.ssa Prof. Prof.ssa Avv. Ing. Geom. S. Sto. Sta. pag. n. vol. cap. fig. p. es.",
    "pt": "Sr. Sra. Srta. Dr. Dra. D. Prof. Profa. Exmo. Exma. V. Exa. S. Sto. Sta. pág. p. n.º nº vol. cap. fig. ex.",
    "nl": "dhr. mevr. mr. dr. prof. ir. drs. St. Sint. blz. nr. vol. fig. bijv. bv.",
    "pl": "dr. prof. inż. mgr. ks. św. ul. al. pl. nr. str. ryc. np. tzw. tj. ok. ob. im.",
    "ru": "г. гг. ул. пр. пл. д. кв. им. проф. акад. доц. св. т. стр. см. рис. гл. тыс. млн. млрд. руб. коп. Г-н г-н Г-жа г-жа",
    "ar": "د. أ. م. ص.",
}


def titles(lang: str) -> frozenset[str]:
    return _titles(lang)


def _build() -> dict[str, frozenset[str]]:
    return {k: frozenset(v.split()) for k, v in TITLES.items()}


_T = _build()


def _titles(lang: str) -> frozenset[str]:
    return _T.get(lang, frozenset())


# ------------------------------------------------------------ abbreviations
# (written form, spoken form, condition) -- matched case-sensitively as a whole
# token (never inside a word). Conditions: "" always; "name" only before a
# capitalised word; "num" only before a number; "end" only not before a
# capitalised word (e.g. "Baker St." -> Street, but "St. Paul" -> Saint).
ABBREVIATIONS: dict[str, list[tuple[str, str, str]]] = {
    "en": [("Mr.", "Mister", ""), ("Mrs.", "Missus", ""), ("Ms.", "Miz", ""),
           ("Mr", "Mister", "name"), ("Mrs", "Missus", "name"), ("Ms", "Miz", "name"),
           ("Dr", "Doctor", "name"), ("St", "Saint", "name"), ("Revd", "Reverend", "name"),
           ("Dr.", "Doctor", "name"), ("Dr.", "Drive", "end"), ("Prof.", "Professor", ""), ("St.", "Saint", "name"),
           ("St.", "Street", "end"), ("Mt.", "Mount", ""), ("Capt.", "Captain", ""),
           ("Col.", "Colonel", ""), ("Gen.", "General", "name"), ("Lt.", "Lieutenant", ""),
           ("Sgt.", "Sergeant", ""), ("Rev.", "Reverend", ""), ("Jr.", "Junior", ""),
           ("Sr.", "Senior", ""), ("Messrs.", "Messieurs", ""), ("Hon.", "Honourable", ""),
           ("e.g.", "for example", ""), ("i.e.", "that is", ""), ("etc.", "et cetera", ""),
           ("vs.", "versus", ""), ("cf.", "compare", ""), ("No.", "number", "num"),
           ("Nos.", "numbers", "num"), ("p.", "page", "num"), ("pp.", "pages", "num"),
           ("Vol.", "Volume", ""), ("vol.", "volume", ""), ("ch.", "chapter", "num"),
           ("Ch.", "Chapter", "num"), ("Fig.", "Figure", "num"), ("fig.", "figure", "num"),
           ("a.m.", "A M", ""), ("p.m.", "P M", ""), ("approx.", "approximately", ""),
           ("Jan.", "January", ""), ("Feb.", "February", ""), ("Mar.", "March", "num"),
           ("Apr.", "April", ""), ("Aug.", "August", ""), ("Sept.", "September", ""),
           ("Sep.", "September", ""), ("Oct.", "October", ""), ("Nov.", "November", ""),
           ("Dec.", "December", "")],
    "fr": [("M.", "Monsieur", "name"), ("MM.", "Messieurs", "name"), ("Mme", "Madame", ""),
           ("Mme.", "Madame", ""), ("Mmes", "Mesdames", ""), ("Mlle", "Mademoiselle", ""),
           ("Mlles", "Mesdemoiselles", ""), ("Dr", "docteur", "name"), ("Dr.", "docteur", "name"),
           ("Pr", "professeur", "name"), ("Me", "maître", "name"), ("St", "Saint", "name"),
           ("Ste", "Sainte", "name"), ("St-", "Saint-", ""), ("Ste-", "Sainte-", ""),
           ("etc.", "et cetera", ""), ("cf.", "confer", ""), ("p. ex.", "par exemple", ""),
           ("c.-à-d.", "c'est-à-dire", ""), ("av. J.-C.", "avant Jésus-Christ", ""),
           ("apr. J.-C.", "après Jésus-Christ", ""), ("J.-C.", "Jésus-Christ", ""),
           ("n°", "numéro", "num"), ("no", "numéro", "num"), ("p.", "page", "num"),
           ("env.", "environ", ""), ("vol.", "volume", ""), ("chap.", "chapitre", "")],
    "de": [("Hr.", "Herr", ""), ("Hrn.", "Herrn", ""), ("Fr.", "Frau", "name"),
           ("Dr.", "Doktor", ""), ("Prof.", "Professor", ""), ("St.", "Sankt", "name"),
           ("z. B.", "zum Beispiel", ""), ("z.B.", "zum Beispiel", ""), ("d. h.", "das heißt", ""),
           ("d.h.", "das heißt", ""), ("u. a.", "unter anderem", ""), ("u.a.", "unter anderem", ""),
           ("usw.", "und so weiter", ""), ("bzw.", "beziehungsweise", ""), ("ca.", "circa", ""),
           ("vgl.", "vergleiche", ""), ("v. Chr.", "vor Christus", ""), ("n. Chr.", "nach Christus", ""),
           ("Nr.", "Nummer", "num"), ("S.", "Seite", "num"), ("Str.", "Straße", ""),
           ("Fa.", "Firma", ""), ("Jh.", "Jahrhundert", ""), ("Bd.", "Band", ""),
           ("Kap.", "Kapitel", ""), ("evtl.", "eventuell", ""), ("ggf.", "gegebenenfalls", ""),
           ("inkl.", "inklusive", ""), ("bzgl.", "bezüglich", "")],
    "es": [("Sr.", "señor", ""), ("Sra.", "señora", ""), ("Srta.", "señorita", ""),
           ("Sres.", "señores", ""), ("Dr.", "doctor", "name"), ("Dra.", "doctora", ""),
           ("D.", "don", "name"), ("Dña.", "doña", "name"), ("Ud.", "usted", ""),
           ("Uds.", "ustedes", ""), ("Vd.", "usted", ""), ("Vds.", "ustedes", ""),
           ("Sto.", "santo", "name"), ("Sta.", "santa", "name"), ("S.", "san", "name"),
           ("etc.", "etcétera", ""), ("p. ej.", "por ejemplo", ""), ("pág.", "página", "num"),
           ("núm.", "número", "num"), ("n.º", "número", "num"), ("Prof.", "profesor", ""),
           ("aprox.", "aproximadamente", ""), ("cap.", "capítulo", "")],
    "it": [("Sig.", "signor", ""), ("Sig.ra", "signora", ""), ("Sig.na", "signorina", ""),
           ("Sigg.", "signori", ""), ("Dott.", "dottor", "name"), ("Dott.ssa", "dottoressa", ""),
           ("Prof.", "professor", "name"), ("Prof.ssa", "professoressa", ""),
           ("Avv.", "avvocato", "name"), ("Ing.", "ingegner", "name"), ("S.", "San", "name"),
           ("ecc.", "eccetera", ""), ("pag.", "pagina", "num"), ("n.", "numero", "num"),
           ("p. es.", "per esempio", ""), ("cap.", "capitolo", ""), ("ca.", "circa", "")],
    "pt": [("Sr.", "senhor", ""), ("Sra.", "senhora", ""), ("Srta.", "senhorita", ""),
           ("Dr.", "doutor", "name"), ("Dra.", "doutora", ""), ("Prof.", "professor", "name"),
           ("Profa.", "professora", ""), ("Exmo.", "excelentíssimo", ""), ("D.", "dom", "name"),
           ("Exma.", "excelentíssima", ""), ("V. Exa.", "Vossa Excelência", ""),
           ("Sto.", "santo", "name"), ("Sta.", "santa", "name"), ("S.", "são", "name"),
           ("etc.", "et cetera", ""), ("p. ex.", "por exemplo", ""), ("pág.", "página", "num"),
           ("n.º", "número", "num"), ("nº", "número", "num"), ("cap.", "capítulo", "")],
    "nl": [("dhr.", "de heer", ""), ("mevr.", "mevrouw", ""), ("mr.", "meester", "name"),
           ("dr.", "dokter", "name"), ("Dr.", "dokter", "name"), ("prof.", "professor", ""),
           ("Prof.", "professor", ""), ("ir.", "ingenieur", "name"), ("drs.", "doctorandus", "name"),
           ("St.", "Sint", "name"), ("bijv.", "bijvoorbeeld", ""), ("bv.", "bijvoorbeeld", ""),
           ("d.w.z.", "dat wil zeggen", ""), ("enz.", "enzovoort", ""), ("o.a.", "onder andere", ""),
           ("blz.", "bladzijde", "num"), ("nr.", "nummer", "num"), ("ca.", "circa", "")],
    "pl": [("np.", "na przykład", ""), ("itd.", "i tak dalej", ""), ("itp.", "i tym podobne", ""),
           ("tzw.", "tak zwany", ""), ("tj.", "to jest", ""), ("m.in.", "między innymi", ""),
           ("ok.", "około", ""), ("wg", "według", ""), ("dr", "doktor", "name"),
           ("Dr", "doktor", "name"), ("prof.", "profesor", ""), ("Prof.", "profesor", ""),
           ("inż.", "inżynier", ""), ("mgr", "magister", "name"), ("ks.", "ksiądz", ""),
           ("św.", "święty", ""), ("ul.", "ulica", ""), ("al.", "aleja", ""), ("nr", "numer", "num"),
           ("str.", "strona", "num"), ("godz.", "godzina", ""), ("r.", "roku", "")],
    "ru": [("т. е.", "то есть", ""), ("т.е.", "то есть", ""), ("и т. д.", "и так далее", ""),
           ("и т.д.", "и так далее", ""), ("и т. п.", "и тому подобное", ""),
           ("и т.п.", "и тому подобное", ""), ("и др.", "и другие", ""), ("см.", "смотри", ""),
           ("ул.", "улица", ""), ("проф.", "профессор", ""), ("акад.", "академик", ""),
           ("им.", "имени", ""), ("св.", "святой", ""), ("стр.", "страница", "num"),
           ("рис.", "рисунок", "num"), ("гл.", "глава", "num"), ("Г-н", "господин", ""),
           ("г-н", "господин", ""), ("Г-жа", "госпожа", ""), ("г-жа", "госпожа", ""),
           ("до н. э.", "до нашей эры", ""), ("н. э.", "нашей эры", ""), ("тыс.", "тысяч", ""),
           ("млн", "миллионов", ""), ("млрд", "миллиардов", ""), ("руб.", "рублей", ""),
           ("коп.", "копеек", "")],
    "ar": [("د.", "الدكتور", "any"), ("أ.", "الأستاذ", "any"), ("ص.", "صفحة", "num")],
}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
}


def months(lang: str) -> list[str]:
    return MONTHS.get(lang, MONTHS["en"]).split()


# Number conventions: decimal mark, group separators.
DECIMAL_COMMA = {"fr", "de", "es", "it", "pt", "nl", "pl", "ru", "da", "sv", "no", "fi",
                 "cs", "sk", "sl", "hr", "sr", "bg", "uk", "ro", "hu", "tr", "el", "id", "ca"}
SPACE_GROUPS = {"fr", "pl", "ru", "uk", "cs", "sk", "sv", "no", "fi", "bg", "hu", "pt", "es"}

WORDS = {  # minus, decimal point, percent, and, dot, slash, at, dash, underscore
    "en": dict(minus="minus", point="point", percent="percent", and_="and", dot="dot",
               slash="slash", at="at", dash="dash", underscore="underscore",
               degrees="degrees", section="section", plus="plus", equals="equals", times="times",
               half="a half", quarter="a quarter", three_quarters="three quarters"),
    "fr": dict(minus="moins", point="virgule", percent="pour cent", and_="et", dot="point",
               slash="barre oblique", at="arobase", dash="tiret", underscore="tiret bas",
               degrees="degrés", section="paragraphe", plus="plus", equals="égale", times="fois",
               half="un demi", quarter="un quart", three_quarters="trois quarts"),
    "de": dict(minus="minus", point="Komma", percent="Prozent", and_="und", dot="Punkt",
               slash="Schrägstrich", at="at", dash="Bindestrich", underscore="Unterstrich",
               degrees="Grad", section="Paragraf", plus="plus", equals="gleich", times="mal",
               half="ein halb", quarter="ein Viertel", three_quarters="drei Viertel"),
    "es": dict(minus="menos", point="coma", percent="por ciento", and_="y", dot="punto",
               slash="barra", at="arroba", dash="guion", underscore="guion bajo",
               degrees="grados", section="sección", plus="más", equals="igual a", times="por",
               half="un medio", quarter="un cuarto", three_quarters="tres cuartos"),
    "it": dict(minus="meno", point="virgola", percent="per cento", and_="e", dot="punto",
               slash="barra", at="chiocciola", dash="trattino", underscore="trattino basso",
               degrees="gradi", section="paragrafo", plus="più", equals="uguale", times="per",
               half="un mezzo", quarter="un quarto", three_quarters="tre quarti"),
    "pt": dict(minus="menos", point="vírgula", percent="por cento", and_="e", dot="ponto",
               slash="barra", at="arroba", dash="hífen", underscore="sublinhado",
               degrees="graus", section="parágrafo", plus="mais", equals="igual a", times="vezes",
               half="um meio", quarter="um quarto", three_quarters="três quartos"),
    "nl": dict(minus="min", point="komma", percent="procent", and_="en", dot="punt",
               slash="schuine streep", at="apenstaartje", dash="streepje", underscore="laag streepje",
               degrees="graden", section="paragraaf", plus="plus", equals="is gelijk aan", times="keer",
               half="een half", quarter="een kwart", three_quarters="driekwart"),
    "pl": dict(minus="minus", point="przecinek", percent="procent", and_="i", dot="kropka",
               slash="ukośnik", at="małpa", dash="myślnik", underscore="podkreślnik",
               degrees="stopni", section="paragraf", plus="plus", equals="równa się", times="razy",
               half="jedna druga", quarter="jedna czwarta", three_quarters="trzy czwarte"),
    "ru": dict(minus="минус", point="запятая", percent="процентов", and_="и", dot="точка",
               slash="слэш", at="собака", dash="дефис", underscore="подчёркивание",
               degrees="градусов", section="параграф", plus="плюс", equals="равно", times="умножить на",
               half="одна вторая", quarter="одна четвёртая", three_quarters="три четвёртых"),
    "ar": dict(minus="سالب", point="فاصلة", percent="بالمئة", and_="و", dot="نقطة",
               slash="شرطة مائلة", at="آت", dash="شرطة", underscore="شرطة سفلية",
               degrees="درجة", section="فقرة", plus="زائد", equals="يساوي", times="ضرب",
               half="نصف", quarter="ربع", three_quarters="ثلاثة أرباع"),
    "zh": dict(minus="负", point="点", percent="百分之", and_="和", dot="点", slash="斜杠",
               at="艾特", dash="杠", underscore="下划线", degrees="度", section="第节",
               plus="加", equals="等于", times="乘", half="二分之一", quarter="四分之一",
               three_quarters="四分之三"),
    "ja": dict(minus="マイナス", point="点", percent="パーセント", and_="と", dot="ドット",
               slash="スラッシュ", at="アット", dash="ハイフン", underscore="アンダーバー",
               degrees="度", section="節", plus="プラス", equals="イコール", times="かける",
               half="二分の一", quarter="四分の一", three_quarters="四分の三"),
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


# Currencies: symbol/code -> per language (singular, plural, cent singular, cent plural);
# for pl/ru plural = (few, many) joined by "|".
CURRENCIES = {
    "$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
    "¥": "JPY", "JPY": "JPY", "₽": "RUB", "RUB": "RUB", "zł": "PLN", "PLN": "PLN",
    "CHF": "CHF", "₹": "INR",
}
CURRENCY_WORDS = {
    "en": {"USD": ("dollar", "dollars", "cent", "cents"), "EUR": ("euro", "euros", "cent", "cents"),
           "GBP": ("pound", "pounds", "penny", "pence"), "JPY": ("yen", "yen", "", ""),
           "RUB": ("rouble", "roubles", "kopek", "kopeks"), "PLN": ("zloty", "zlotys", "grosz", "groszy"),
           "CHF": ("franc", "francs", "centime", "centimes"), "INR": ("rupee", "rupees", "paisa", "paise")},
    "fr": {"USD": ("dollar", "dollars", "cent", "cents"), "EUR": ("euro", "euros", "centime", "centimes"),
           "GBP": ("livre", "livres", "penny", "pence"), "JPY": ("yen", "yens", "", ""),
           "RUB": ("rouble", "roubles", "kopeck", "kopecks"), "PLN": ("zloty", "zlotys", "grosz", "groszy"),
           "CHF": ("franc", "francs", "centime", "centimes"), "INR": ("roupie", "roupies", "paisa", "paisas")},
    "de": {"USD": ("Dollar", "Dollar", "Cent", "Cent"), "EUR": ("Euro", "Euro", "Cent", "Cent"),
           "GBP": ("Pfund", "Pfund", "Penny", "Pence"), "JPY": ("Yen", "Yen", "", ""),
           "RUB": ("Rubel", "Rubel", "Kopeke", "Kopeken"), "PLN": ("Złoty", "Złoty", "Groschen", "Groschen"),
           "CHF": ("Franken", "Franken", "Rappen", "Rappen"), "INR": ("Rupie", "Rupien", "Paisa", "Paise")},
    "es": {"USD": ("dólar", "dólares", "centavo", "centavos"), "EUR": ("euro", "euros", "céntimo", "céntimos"),
           "GBP": ("libra", "libras", "penique", "peniques"), "JPY": ("yen", "yenes", "", ""),
           "RUB": ("rublo", "rublos", "kopek", "kopeks"), "PLN": ("esloti", "eslotis", "grosz", "groszy"),
           "CHF": ("franco", "francos", "céntimo", "céntimos"), "INR": ("rupia", "rupias", "paisa", "paisas")},
    "it": {"USD": ("dollaro", "dollari", "centesimo", "centesimi"), "EUR": ("euro", "euro", "centesimo", "centesimi"),
           "GBP": ("sterlina", "sterline", "penny", "pence"), "JPY": ("yen", "yen", "", ""),
           "RUB": ("rublo", "rubli", "copeco", "copechi"), "PLN": ("zloty", "zloty", "grosz", "groszy"),
           "CHF": ("franco", "franchi", "centesimo", "centesimi"), "INR": ("rupia", "rupie", "paisa", "paise")},
    "pt": {"USD": ("dólar", "dólares", "centavo", "centavos"), "EUR": ("euro", "euros", "cêntimo", "cêntimos"),
           "GBP": ("libra", "libras", "pêni", "pence"), "JPY": ("iene", "ienes", "", ""),
           "RUB": ("rublo", "rublos", "copeque", "copeques"), "PLN": ("zloty", "zlotys", "grosz", "groszy"),
           "CHF": ("franco", "francos", "cêntimo", "cêntimos"), "INR": ("rupia", "rupias", "paisa", "paisas")},
    "nl": {"USD": ("dollar", "dollar", "cent", "cent"), "EUR": ("euro", "euro", "cent", "cent"),
           "GBP": ("pond", "pond", "penny", "pence"), "JPY": ("yen", "yen", "", ""),
           "RUB": ("roebel", "roebel", "kopeke", "kopeken"), "PLN": ("zloty", "zloty", "grosz", "groszy"),
           "CHF": ("frank", "frank", "rappen", "rappen"), "INR": ("roepie", "roepie", "paisa", "paise")},
    "pl": {"USD": ("dolar", "dolary|dolarów", "cent", "centy|centów"),
           "EUR": ("euro", "euro|euro", "cent", "centy|centów"),
           "GBP": ("funt", "funty|funtów", "pens", "pensy|pensów"), "JPY": ("jen", "jeny|jenów", "", ""),
           "RUB": ("rubel", "ruble|rubli", "kopiejka", "kopiejki|kopiejek"),
           "PLN": ("złoty", "złote|złotych", "grosz", "grosze|groszy"),
           "CHF": ("frank", "franki|franków", "centym", "centymy|centymów"),
           "INR": ("rupia", "rupie|rupii", "pajsa", "pajsy|pajs")},
    "ru": {"USD": ("доллар", "доллара|долларов", "цент", "цента|центов"),
           "EUR": ("евро", "евро|евро", "цент", "цента|центов"),
           "GBP": ("фунт", "фунта|фунтов", "пенс", "пенса|пенсов"), "JPY": ("иена", "иены|иен", "", ""),
           "RUB": ("рубль", "рубля|рублей", "копейка", "копейки|копеек"),
           "PLN": ("злотый", "злотых|злотых", "грош", "гроша|грошей"),
           "CHF": ("франк", "франка|франков", "сантим", "сантима|сантимов"),
           "INR": ("рупия", "рупии|рупий", "пайса", "пайсы|пайс")},
    "ar": {"USD": ("دولار", "دولار", "سنت", "سنت"), "EUR": ("يورو", "يورو", "سنت", "سنت"),
           "GBP": ("جنيه إسترليني", "جنيه إسترليني", "بنس", "بنس"), "JPY": ("ين", "ين", "", ""),
           "RUB": ("روبل", "روبل", "كوبيك", "كوبيك"), "PLN": ("زلوتي", "زلوتي", "غروش", "غروش"),
           "CHF": ("فرنك", "فرنك", "سنتيم", "سنتيم"), "INR": ("روبية", "روبية", "بيسة", "بيسة")},
    "zh": {"USD": ("美元",) * 2 + ("美分",) * 2, "EUR": ("欧元",) * 2 + ("欧分",) * 2,
           "GBP": ("英镑",) * 2 + ("便士",) * 2, "JPY": ("日元", "日元", "", ""),
           "RUB": ("卢布",) * 2 + ("戈比",) * 2, "PLN": ("兹罗提",) * 2 + ("格罗希",) * 2,
           "CHF": ("瑞士法郎",) * 2 + ("生丁",) * 2, "INR": ("卢比",) * 2 + ("派士",) * 2},
    "ja": {"USD": ("ドル",) * 2 + ("セント",) * 2, "EUR": ("ユーロ",) * 2 + ("セント",) * 2,
           "GBP": ("ポンド",) * 2 + ("ペンス",) * 2, "JPY": ("円", "円", "", ""),
           "RUB": ("ルーブル",) * 2 + ("コペイカ",) * 2, "PLN": ("ズウォティ",) * 2 + ("グロシュ",) * 2,
           "CHF": ("スイスフラン",) * 2 + ("サンチーム",) * 2, "INR": ("ルピー",) * 2 + ("パイサ",) * 2},
}

# Units after a number: symbol -> per language (singular, plural) (pl/ru: plural "few|many").
UNIT_KEYS = ["km/h", "km", "cm", "mm", "m", "kg", "mg", "g", "ml", "l", "°C", "°F", "h", "min"]
UNITS = {
    "en": {"km/h": ("kilometre per hour", "kilometres per hour"), "km": ("kilometre", "kilometres"),
           "cm": ("centimetre", "centimetres"), "mm": ("millimetre", "millimetres"),
           "m": ("metre", "metres"), "kg": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"),
           "g": ("gram", "grams"), "ml": ("millilitre", "millilitres"), "l": ("litre", "litres"),
           "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
           "h": ("hour", "hours"), "min": ("minute", "minutes")},
    "fr": {"km/h": ("kilomètre à l'heure", "kilomètres à l'heure"), "km": ("kilomètre", "kilomètres"),
           "cm": ("centimètre", "centimètres"), "mm": ("millimètre", "millimètres"),
           "m": ("mètre", "mètres"), "kg": ("kilo", "kilos"), "mg": ("milligramme", "milligrammes"),
           "g": ("gramme", "grammes"), "ml": ("millilitre", "millilitres"), "l": ("litre", "litres"),
           "°C": ("degré Celsius", "degrés Celsius"), "°F": ("degré Fahrenheit", "degrés Fahrenheit"),
           "h": ("heure", "heures"), "min": ("minute", "minutes")},
    "de": {"km/h": ("Kilometer pro Stunde",) * 2, "km": ("Kilometer",) * 2, "cm": ("Zentimeter",) * 2,
           "mm": ("Millimeter",) * 2, "m": ("Meter",) * 2, "kg": ("Kilogramm",) * 2,
           "mg": ("Milligramm",) * 2, "g": ("Gramm",) * 2, "ml": ("Milliliter",) * 2, "l": ("Liter",) * 2,
           "°C": ("Grad Celsius",) * 2, "°F": ("Grad Fahrenheit",) * 2, "h": ("Stunde", "Stunden"),
           "min": ("Minute", "Minuten")},
    "es": {"km/h": ("kilómetro por hora", "kilómetros por hora"), "km": ("kilómetro", "kilómetros"),
           "cm": ("centímetro", "centímetros"), "mm": ("milímetro", "milímetros"), "m": ("metro", "metros"),
           "kg": ("kilo", "kilos"), "mg": ("miligramo", "miligramos"), "g": ("gramo", "gramos"),
           "ml": ("mililitro", "mililitros"), "l": ("litro", "litros"),
           "°C": ("grado centígrado", "grados centígrados"), "°F": ("grado Fahrenheit", "grados Fahrenheit"),
           "h": ("hora", "horas"), "min": ("minuto", "minutos")},
    "it": {"km/h": ("chilometro orario", "chilometri orari"), "km": ("chilometro", "chilometri"),
           "cm": ("centimetro", "centimetri"), "mm": ("millimetro", "millimetri"), "m": ("metro", "metri"),
           "kg": ("chilo", "chili"), "mg": ("milligrammo", "milligrammi"), "g": ("grammo", "grammi"),
           "ml": ("millilitro", "millilitri"), "l": ("litro", "litri"),
           "°C": ("grado centigrado", "gradi centigradi"), "°F": ("grado Fahrenheit", "gradi Fahrenheit"),
           "h": ("ora", "ore"), "min": ("minuto", "minuti")},
    "pt": {"km/h": ("quilómetro por hora", "quilómetros por hora"), "km": ("quilómetro", "quilómetros"),
           "cm": ("centímetro", "centímetros"), "mm": ("milímetro", "milímetros"), "m": ("metro", "metros"),
           "kg": ("quilo", "quilos"), "mg": ("miligrama", "miligramas"), "g": ("grama", "gramas"),
           "ml": ("mililitro", "mililitros"), "l": ("litro", "litros"),
           "°C": ("grau Celsius", "graus Celsius"), "°F": ("grau Fahrenheit", "graus Fahrenheit"),
           "h": ("hora", "horas"), "min": ("minuto", "minutos")},
    "nl": {"km/h": ("kilometer per uur",) * 2, "km": ("kilometer",) * 2, "cm": ("centimeter",) * 2,
           "mm": ("millimeter",) * 2, "m": ("meter",) * 2, "kg": ("kilo",) * 2, "mg": ("milligram",) * 2,
           "g": ("gram",) * 2, "ml": ("milliliter",) * 2, "l": ("liter",) * 2,
           "°C": ("graad Celsius", "graden Celsius"), "°F": ("graad Fahrenheit", "graden Fahrenheit"),
           "h": ("uur", "uur"), "min": ("minuut", "minuten")},
    "pl": {"km/h": ("kilometr na godzinę", "kilometry na godzinę|kilometrów na godzinę"),
           "km": ("kilometr", "kilometry|kilometrów"), "cm": ("centymetr", "centymetry|centymetrów"),
           "mm": ("milimetr", "milimetry|milimetrów"), "m": ("metr", "metry|metrów"),
           "kg": ("kilogram", "kilogramy|kilogramów"), "mg": ("miligram", "miligramy|miligramów"),
           "g": ("gram", "gramy|gramów"), "ml": ("mililitr", "mililitry|mililitrów"),
           "l": ("litr", "litry|litrów"), "°C": ("stopień Celsjusza", "stopnie Celsjusza|stopni Celsjusza"),
           "°F": ("stopień Fahrenheita", "stopnie Fahrenheita|stopni Fahrenheita"),
           "h": ("godzina", "godziny|godzin"), "min": ("minuta", "minuty|minut")},
    "ru": {"km/h": ("километр в час", "километра в час|километров в час"),
           "km": ("километр", "километра|километров"), "cm": ("сантиметр", "сантиметра|сантиметров"),
           "mm": ("миллиметр", "миллиметра|миллиметров"), "m": ("метр", "метра|метров"),
           "kg": ("килограмм", "килограмма|килограммов"), "mg": ("миллиграмм", "миллиграмма|миллиграммов"),
           "g": ("грамм", "грамма|граммов"), "ml": ("миллилитр", "миллилитра|миллилитров"),
           "l": ("литр", "литра|литров"), "°C": ("градус Цельсия", "градуса Цельсия|градусов Цельсия"),
           "°F": ("градус Фаренгейта", "градуса Фаренгейта|градусов Фаренгейта"),
           "h": ("час", "часа|часов"), "min": ("минута", "минуты|минут")},
    "ar": {"km/h": ("كيلومتر في الساعة",) * 2, "km": ("كيلومتر",) * 2, "cm": ("سنتيمتر",) * 2,
           "mm": ("مليمتر",) * 2, "m": ("متر",) * 2, "kg": ("كيلوغرام",) * 2, "mg": ("مليغرام",) * 2,
           "g": ("غرام",) * 2, "ml": ("مليلتر",) * 2, "l": ("لتر",) * 2, "°C": ("درجة مئوية",) * 2,
           "°F": ("درجة فهرنهايت",) * 2, "h": ("ساعة",) * 2, "min": ("دقيقة",) * 2},
    "zh": {"km/h": ("公里每小时",) * 2, "km": ("公里",) * 2, "cm": ("厘米",) * 2, "mm": ("毫米",) * 2,
           "m": ("米",) * 2, "kg": ("公斤",) * 2, "mg": ("毫克",) * 2, "g": ("克",) * 2,
           "ml": ("毫升",) * 2, "l": ("升",) * 2, "°C": ("摄氏度",) * 2, "°F": ("华氏度",) * 2,
           "h": ("小时",) * 2, "min": ("分钟",) * 2},
    "ja": {"km/h": ("キロメートル毎時",) * 2, "km": ("キロメートル",) * 2, "cm": ("センチメートル",) * 2,
           "mm": ("ミリメートル",) * 2, "m": ("メートル",) * 2, "kg": ("キログラム",) * 2,
           "mg": ("ミリグラム",) * 2, "g": ("グラム",) * 2, "ml": ("ミリリットル",) * 2,
           "l": ("リットル",) * 2, "°C": ("度",) * 2, "°F": ("華氏度",) * 2, "h": ("時間",) * 2,
           "min": ("分",) * 2},
}

# Words after which a Roman numeral is a number read as a cardinal
# ("Chapter XII", "World War II", "Part I").
ROMAN_CARDINAL_BEFORE = {
    "en": "Chapter Part Book Volume Vol. Act Scene Canto Section Appendix Psalm Article Stave Letter War Chap. CHAPTER PART BOOK",
    "fr": "Chapitre Partie Livre Tome Acte Scène Chant Section Annexe Article Lettre Louis Henri Charles Philippe Jean chapitre tome livre acte CHAPITRE",
    "de": "Kapitel Teil Buch Band Akt Szene Gesang Abschnitt Anhang Artikel KAPITEL",
    "es": "Capítulo Parte Libro Tomo Acto Escena Canto Sección Artículo Carta capítulo siglo CAPÍTULO",
    "it": "Capitolo Parte Libro Tomo Atto Scena Canto Sezione Articolo Lettera capitolo CAPITOLO",
    "pt": "Capítulo Parte Livro Tomo Ato Acto Cena Canto Secção Seção Artigo Carta capítulo século CAPÍTULO",
    "nl": "Hoofdstuk Deel Boek Bedrijf Scène Zang Artikel HOOFDSTUK",
    "pl": "Rozdział rozdziale rozdziału Część części Księga księgi Tom tomie tomu Akt Scena Pieśń Artykuł artykułu ROZDZIAŁ",
    "ru": "Глава главы главе главу главой Часть части частью Книга книги книгу Том тома томе Акт Сцена Песнь Статья статьи статью ГЛАВА",
}
# Roman numerals that are common words or abbreviations: only read as numbers
# after a word of ROMAN_CARDINAL_BEFORE.
ROMAN_WORDS = {"I", "C", "D", "L", "M", "V", "X", "MIX", "CD", "DC", "MD", "CV", "LI", "DI", "MI",
               "MM", "CC", "CM", "DIV", "VI", "CL", "ML", "DL", "XL", "XXL", "LL", "DCL", "MC",
               "LCD", "MDC", "CI", "XXX", "DVD", "CDC", "MCC", "LIV", "MIC", "VIC", "CIV", "DIX", "DIL"}

# Units written in another script: alias -> key of UNITS.
UNIT_ALIASES = {
    "ru": {"км/ч": "km/h", "км": "km", "см": "cm", "мм": "mm", "м": "m", "кг": "kg", "мг": "mg",
           "мл": "ml", "л": "l"},
}
