# English as read in Europe: day before month, 24-hour clock ("1 December 2026, 08:03"),
# instead of Django's American defaults ("Dec. 1, 2026, 8:03 a.m.", "12/01/2026").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
