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
# what became of a referral (services.signals.referral_news), in the outreach worker's words
REFERRAL_STATES = {
    "matched": "Gekoppeld aan aanbod; wacht op de partner",
    "accepted": "Geaccepteerd door de partner",
    "in_progress": "Hulp is gestart",
    "completed": "Afgerond",
    "declined": "Afgewezen door de partner",
    "cancelled": "Ingetrokken",
}
REFERRAL_RESULTS = {
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
# what the audit log's actions mean, as the administrator's log page shows them
AUDIT_ACTIONS = {
    "case.opened": "Casus geopend",
    "case.viewed": "Casus bekeken",
    "case.read": "Casus bekeken",  # what the API wrote for case.viewed until 2026-12-02; older entries keep it
    "case.closed": "Casus afgesloten",
    "case.assigned": "Casus toegewezen",
    "case.unassigned": "Toewijzing van casus opgeheven",
    "contact_attempt.logged": "Contactpoging vastgelegd",
    "account.created": "Account aangemaakt",
    "account.deactivated": "Account gedeactiveerd",
    "partner.registered": "Lid geregistreerd",
    "partner.left": "Lid vertrokken",
    "partner.secret_rotated": "Geheim van partnersysteem vernieuwd",
    "second_factor.enabled": "Tweestapsverificatie aangezet",
    "team.created": "Wijkteam aangemaakt",
    "team.changed": "Wijkteam gewijzigd",
    "employer_desk.code_issued": "Code van het werkgeversloket uitgegeven",
    "municipality_settings.changed": "Instellingen van een gemeente gewijzigd",
}
# what the retention run reports, per count
RETENTION_COUNTS = {
    "closed_below_threshold": "casussen onder de drempel afgesloten",
    "erased_cases": "casussen gewist na de bewaartermijn",
    "erased_eviction_addresses": "adressen van ontruimingsmeldingen gewist",
}
# the DDAS-vroegsignalering outcome codes (rules.Outcome)
OUTCOMES = {
    "repeat_signal": "Herhaalsignaal",
    "unjustified_signal": "Onterecht signaal",
    "deceased": "Overleden",
    "not_resident": "Niet woonachtig op adres",
    "already_in_debt_help": "Al in schuldhulpverlening",
    "other_trajectory": "Ander traject",
    "no_contact": "Geen contact",
    "no_help_wanted": "Geen hulp gewenst",
    "already_paid": "Al betaald",
    "quick_fix": "Quick fix",
    "follow_up_financial": "Vervolg financieel",
    "follow_up_non_financial": "Vervolg niet-financieel",
    "referral_without_contact": "Doorverwijzing zonder contact",
    "below_threshold": "Onder de drempel, niet opgepakt",
}
# the kinds of member organisation (access.partners.PartnerType)
PARTNER_TYPES = {
    "municipality": "Gemeente",
    "housing": "Woningcorporatie",
    "health_insurer": "Zorgverzekeraar",
    "defaulters_scheme": "Wanbetalersregeling zorgverzekering (CAK)",
    "energy": "Energieleverancier",
    "water": "Waterbedrijf",
    "bank": "Bank",
    "employer": "Werkgever",
    "school": "School",
    "debt_help": "Schuldhulporganisatie",
    "volunteer_organisation": "Vrijwilligersorganisatie",
    "other": "Overig",
}
