"""What callers say in the restaurant's other languages (`[locale] languages`), written the way
the English readers in this package read it: "四个人" is "4", "晚上七点半" is "7:30 pm",
"下周五" is "friday next week", "empat orang" is "4 people", "esok" is "tomorrow".

The agents tell the model to pass canonical values (digits, the weekday with an ISO date, a
24-hour time); this is for a model that passes the caller's words on as they were said. Digits
of any script ("௪", "４") are read as digits; Chinese numerals by cn2an; Malay number words,
weekdays and times of day from the small tables below. Tamil is read for its digits only.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

import cn2an

__all__ = ["digits_among_words", "in_english_forms"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_CHINESE_NUMERAL = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬]+")
_CHINESE_DIGITS = str.maketrans("零〇一二两兩三四五六七八九", "0012223456789")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = (
    "", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip

# --- Chinese (after its numerals are digits) ------------------------------------------------
_ZH_PART_OF_DAY = {
    "凌晨": "am", "早上": "am", "早晨": "am", "上午": "am", "中午": "pm", "下午": "pm",
    "傍晚": "pm", "晚上": "pm", "今晚": "pm", "夜里": "pm", "夜晚": "pm",
}  # fmt: skip
_ZH_TIME = re.compile(
    rf"(?P<part>{'|'.join(_ZH_PART_OF_DAY)})?\s*(?P<hour>[0-9]{{1,2}})\s*[点點时時]"
    r"(?:\s*(?P<half>半)|\s*(?P<quarters>[13])\s*刻|\s*(?P<minute>[0-9]{1,2})\s*分?)?(?:钟|鐘)?"
)
_ZH_FULL_DATE = re.compile(
    r"(?:(?P<year>[0-9]{4})\s*年\s*)?(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*[日号號]?"
)
_ZH_DAY_OF_MONTH = re.compile(r"(?P<day>[0-9]{1,2})\s*[日号號]")
_ZH_WEEKDAY = re.compile(
    r"(?P<which>下|这|這|本)?\s*(?:个|個)?\s*(?:周|週|星期|礼拜|禮拜)\s*(?P<day>[1-7日天])"
)
_ZH_DAYS = {"今天": "today", "今日": "today", "明天": "tomorrow", "明日": "tomorrow",
            "后天": "the day after tomorrow", "後天": "the day after tomorrow",
            "今晚": "tonight"}  # fmt: skip

# --- Malay --------------------------------------------------------------------------------
_MS_UNITS = {
    "kosong": 0, "sifar": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
    "tujuh": 7, "lapan": 8, "sembilan": 9,
}  # fmt: skip
_MS_UNIT = "|".join(_MS_UNITS)
_MS_NUMBER = re.compile(
    rf"\b(?:(?P<tens>{_MS_UNIT})\s+puluh(?:\s+(?P<and>{_MS_UNIT}))?"
    rf"|(?P<teen>{_MS_UNIT})\s+belas|(?P<ten>sepuluh)|(?P<eleven>sebelas)|(?P<unit>{_MS_UNIT}))\b"
)
_MS_WEEKDAYS = {
    "isnin": "monday", "selasa": "tuesday", "rabu": "wednesday", "khamis": "thursday",
    "jumaat": "friday", "jumat": "friday", "sabtu": "saturday", "ahad": "sunday",
    "minggu": "sunday",
}  # fmt: skip
_MS_WEEKDAY = re.compile(
    rf"\b(?:hari\s+)?(?P<day>{'|'.join(_MS_WEEKDAYS)})(?:\s+(?P<which>minggu\s+depan|depan|ini))?\b"
)
_MS_PART_OF_DAY = {"pagi": "am", "tengah hari": "pm", "tengahari": "pm", "petang": "pm",
                   "malam": "pm"}  # fmt: skip
_MS_TIME = re.compile(
    r"\b(?:pukul|jam)?\s*(?P<hour>[0-9]{1,2})(?:[.:](?P<minute>[0-9]{2})|\s+(?P<half>setengah))?"
    rf"\s*(?P<part>{'|'.join(_MS_PART_OF_DAY)})?\b"
)
_MS_WORDS = (
    (re.compile(r"\bhari\s+ini\b"), "today"),
    (re.compile(r"\bmalam\s+ini\b"), "tonight"),
    (re.compile(r"\b(?:esok|besok)\b"), "tomorrow"),
    (re.compile(r"\blusa\b"), "the day after tomorrow"),
    (re.compile(r"\b([0-9]+)\s+orang\b"), r"\1 people"),
    (re.compile(r"\b(?:meja\s+)?untuk\s+(?=[0-9])"), "table for "),
)


def _ascii_digits(text: str) -> str:
    """Digits of any script as ASCII ("௪" and "４" are 4); other characters as they are."""
    return "".join(
        str(unicodedata.decimal(c))
        if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in text.replace("：", ":")
    )


def _chinese_number(match: re.Match[str]) -> str:
    run = match[0]
    with warnings.catch_warnings():
        # cn2an warns as well as raising on what it cannot read.
        warnings.simplefilter("ignore")
        try:
            return str(cn2an.cn2an(run, "smart"))
        except (ValueError, KeyError):
            pass
    # Digits read one by one ("九八二零七二七二"), as a phone number is said.
    digits = run.translate(_CHINESE_DIGITS)
    return digits if digits.isdigit() else run


def _clock(hour: str, minute: int, part: str | None) -> str:
    return f"{int(hour)}:{minute:02d}" + (f" {part}" if part else "")


def _zh_time(match: re.Match[str]) -> str:
    minute = 30 if match["half"] else 15 * int(match["quarters"] or 0) or int(match["minute"] or 0)
    part = _ZH_PART_OF_DAY.get(match["part"] or "")
    return f" {_clock(match['hour'], minute, part)} "


def _zh_date(match: re.Match[str]) -> str:
    month = int(match["month"])
    if not 1 <= month <= 12:
        return match[0]
    year = f" {match['year']}" if match["year"] else ""
    return f" {int(match['day'])} {_MONTH_NAMES[month]}{year} "


def _zh_weekday(match: re.Match[str]) -> str:
    day = _WEEKDAY_NAMES[6 if match["day"] in "日天7" else int(match["day"]) - 1]
    which = {"下": " next week", "这": " this week", "這": " this week", "本": " this week"}
    return f" {day}{which.get(match['which'] or '', '')} "


def _chinese(text: str) -> str:
    text = _CHINESE_NUMERAL.sub(_chinese_number, text)
    text = _ZH_TIME.sub(_zh_time, text)
    text = _ZH_FULL_DATE.sub(_zh_date, text)
    text = _ZH_DAY_OF_MONTH.sub(lambda m: f" the {int(m['day'])}th ", text)
    text = _ZH_WEEKDAY.sub(_zh_weekday, text)
    for said, english in _ZH_DAYS.items():
        text = text.replace(said, f" {english} ")
    # What is left is the words around the value ("我想订", "的"), not part of it.
    return _CJK.sub(" ", text)


def _malay_number(match: re.Match[str]) -> str:
    if match["tens"]:
        return str(10 * _MS_UNITS[match["tens"]] + _MS_UNITS.get(match["and"] or "", 0))
    if match["teen"]:
        return str(10 + _MS_UNITS[match["teen"]])
    if match["ten"] or match["eleven"]:
        return "10" if match["ten"] else "11"
    return str(_MS_UNITS[match["unit"]])


def _malay_time(match: re.Match[str]) -> str:
    if not (match["part"] or match["half"] or re.match(r"\s*(?:pukul|jam)", match[0])):
        return match[0]
    minute = 30 if match["half"] else int(match["minute"] or 0)
    return f" {_clock(match['hour'], minute, _MS_PART_OF_DAY.get(match['part'] or ''))} "


def _malay_weekday(match: re.Match[str]) -> str:
    which = {"ini": " this week", "depan": " next week"}.get(
        (match["which"] or "").split()[-1] if match["which"] else "", ""
    )
    return f"{_MS_WEEKDAYS[match['day']]}{which}"


def _malay(text: str) -> str:
    text = _MS_NUMBER.sub(_malay_number, text)
    for pattern, english in _MS_WORDS:
        text = pattern.sub(english, text)
    text = _MS_WEEKDAY.sub(_malay_weekday, text)
    return _MS_TIME.sub(_malay_time, text)


def in_english_forms(raw: str) -> str:
    """`raw` with what a caller said in Mandarin or Malay written as the English readers read
    it; English text comes back as it was, but for digits of other scripts made ASCII."""
    text = _ascii_digits(raw).lower()
    if _CJK.search(text):
        text = _chinese(text)
    text = _malay(text)
    return " ".join(text.split())


def digits_among_words(text: str) -> str:
    """A number said amid words of another script ("4个人", "4 பேர்") as the number alone:
    with no Latin letter around them, letters of other scripts say what is counted."""
    if re.search(r"[a-z]", text, re.IGNORECASE) or not re.search(r"[0-9]", text):
        return text
    kept = "".join(
        " " if c.isalpha() or unicodedata.category(c).startswith("M") else c for c in text
    )
    return " ".join(kept.split())
