"""Dutch labels for the staff pages."""

CREDITOR_TYPES = {
    "rent": "Huur",
    "energy": "Energie",
    "water": "Drinkwater",
    "health_insurance": "Zorgverzekering",
    "defaulters_scheme": "Wanbetalersregeling zorgverzekering (CAK)",
    "municipal_tax": "Gemeentelijke belastingen",
    "bank": "Bank of hypotheek",
    "employer": "Werkgever",
    "other": "Overig",
}
STATUSES = {"open": "Open", "registered": "Onder de drempel", "closed": "Afgesloten"}
CONTACT_KINDS = {
    "mail": "E-mail",
    "letter": "Brief",
    "sms_whatsapp": "Sms of WhatsApp",
    "phone": "Telefoon",
    "home_visit": "Huisbezoek",
    "card": "Kaartje door de deur",
    "other": "Anders",
}
PARTS_OF_DAY = {"morning": "Ochtend", "afternoon": "Middag", "evening": "Avond"}
