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
    "social_support": "Ondersteuning buiten geldzaken",
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
DECLINE_CATEGORIES = {
    "no_capacity": "Geen plek of capaciteit",
    "not_eligible": "Valt buiten de doelgroep of voorwaarden",
    "other_help_fits": "Ander aanbod past beter",
    "no_contact": "Geen contact met het huishouden",
    "household_declined": "Huishouden wil deze hulp niet",
    "other": "Andere reden",
}
OFFER_STATUSES = {"active": "Actief", "inactive": "Niet actief", "temporarily_closed": "Tijdelijk gesloten"}
VOLUNTEER_ROLES = {"budget_coach": "Budgetcoach", "debt_buddy": "Schuldhulpmaatje"}
# what the audit log's actions mean, as the administrator's log page shows them
AUDIT_ACTIONS = {
    "offer.published": "Aanbod gepubliceerd of gewijzigd",
    "cohort.enrolled": "Huishouden opgenomen in de Doorbraak-groep",
    "cohort.step_done": "Stap van het Doorbraak-plan afgevinkt",
    "cohort.exited": "Huishouden uit de Doorbraak-groep",
    "municipality_settings.changed": "Instellingen van een gemeente gewijzigd",
}
# what the retention run reports, per count
RETENTION_COUNTS = {
    "erased_referrals": "afgesloten verwijzingen gewist",
    "erased_cohort_members": "oud-deelnemers van de Doorbraak-groep gewist",
}
