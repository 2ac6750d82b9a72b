"""The volunteers service's Dutch words for its values, for every page (and the audit log) to share."""

ROLES = {"budget_coach": "Budgetcoach", "guest_teacher": "Gastdocent", "debt_buddy": "Schuldhulpmaatje"}
STATUSES = {"applicant": "Aanmelding", "active": "Actief", "paused": "Gepauzeerd", "left": "Gestopt"}
# what the audit log's actions mean, as its page shows them
AUDIT_ACTIONS = {
    "volunteer.viewed": "Vrijwilliger bekeken",
    "volunteer.registered": "Vrijwilliger geregistreerd of gewijzigd",
    "volunteer.screened": "Screening vastgelegd",
    "volunteer.paused": "Vrijwilliger gepauzeerd",
    "volunteer.resumed": "Vrijwilliger hervat",
    "volunteer.assigned": "Vrijwilliger gekoppeld",
    "volunteer.released": "Koppeling beëindigd",
    "hours.logged": "Uren geschreven",
    "lesson.requested": "Gastles aangevraagd",
    "lesson.given": "Gastles gemeld als gegeven",
    "municipality_settings.changed": "Instellingen van een gemeente gewijzigd",
}
# what the retention run reports, per count
RETENTION_COUNTS = {
    "deleted_applicants": "verlopen aanmeldingen verwijderd",
    "erased_volunteers": "vertrokken vrijwilligers gewist",
    "expired_audit_entries": "verlopen regels van het logboek verwijderd",
}
