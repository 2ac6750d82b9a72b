"""The reporting service's Dutch words for its audit log, as the administrator's log page shows them."""

AUDIT_ACTIONS = {
    "target.changed": "Programmadoel gewijzigd",
    "export.downloaded": "Export gedownload",
    "project.registered": "Labproject geregistreerd",
    "project.started": "Labproject gestart",
    "project.changed": "Labproject gewijzigd",
    "project.phase_decided": "Go/No-Go-besluit over een fase",
    "project.analysed": "MKBA van een labproject vastgelegd",
    "project.kpis_set": "KPI's van een labproject vastgelegd",
    "lab.prices_set": "Prijzenlijst van het lab vastgelegd",
}
