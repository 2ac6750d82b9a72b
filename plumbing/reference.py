"""Reference data every service may show: the CBS gemeentecodes of the cooperative's region."""

MUNICIPALITIES = {
    "GM0141": "Almelo",
    "GM0150": "Deventer",
    "GM0163": "Hellendoorn",
    "GM0175": "Olst-Wijhe",
    "GM0177": "Raalte",
    "GM0193": "Zwolle",
    "GM1742": "Rijssen-Holten",
}
