"""Dutch labels for the pages."""

STATES = {
    "requested": "Aangevraagd",
    "accepted": "Geaccepteerd",
    "declined": "Afgewezen",
    "in_progress": "Loopt",
    "completed": "Afgerond",
    "cancelled": "Ingetrokken",
}
PHASES = {"prevention": "Preventie", "early_intervention": "Vroegsignalering", "curative": "Curatief"}
NEEDS = {
    "debt_help": "Schuldhulp",
    "budget_coaching": "Budgetcoaching",
    "debt_settlement": "Schuldregeling",
    "income_management": "Inkomensbeheer of bewindvoering",
    "social_support": "Ondersteuning",
    "youth": "Jongeren",
}
KINDS = {
    "outreach": "Outreach (erop af)",
    "debt_help": "Schuldhulpverlening",
    "budget_coaching": "Budgetcoaching",
    "debt_settlement": "Schuldregeling",
    "income_management": "Inkomensbeheer of bewindvoering",
    "income_support": "Inkomensondersteuning",
    "youth": "Jongerenaanpak",
}
RESULTS = {
    "debt_free": "Schuldenvrij",
    "stable": "Stabiel",
    "referred_on": "Doorverwezen",
    "dropped_out": "Uitgevallen",
}
