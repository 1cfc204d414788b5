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
