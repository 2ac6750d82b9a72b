"""The reporting service's Dutch words: its audit log's actions, as the administrator's log page shows them, and the
Schuldenlab's phases, kinds and stakeholders."""

from services.reporting.lab.mkba import Stakeholder
from services.reporting.lab.portfolio import DebtPhase, Phase, ProjectKind

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
# the Schuldenlab's pages and exports
PHASES = {
    Phase.IDEA: "Idee",
    Phase.DEVELOP: "Ontwikkelen",
    Phase.VALIDATE: "Valideren",
    Phase.EXPERIMENT: "Experimenteren",
    Phase.REALISE: "Realiseren",
    Phase.SCALED_UP: "Opgeschaald",
    Phase.STOPPED: "Gestopt",
}
DEBT_PHASES = {
    DebtPhase.PREVENTION: "Preventie",
    DebtPhase.EARLY_INTERVENTION: "Vroege interventie",
    DebtPhase.CURATIVE: "Curatie",
}
PROJECT_KINDS = {
    ProjectKind.OWN_DEVELOPMENT: "Eigen ontwikkeling binnen een innovatiethema",
    ProjectKind.BEST_PRACTICE: "Best practice, toegesneden op de regio",
    ProjectKind.RUNNING: "Loopt al",
}
STAKEHOLDERS: dict[Stakeholder, str] = {
    Stakeholder.MUNICIPALITY: "Gemeente",
    Stakeholder.CREDITOR: "Schuldeisers",
    Stakeholder.HOUSING_CORPORATION: "Woningcorporatie",
    Stakeholder.HEALTH_INSURER: "Zorgverzekeraar",
    Stakeholder.EMPLOYER: "Werkgever",
    Stakeholder.HOUSEHOLD: "Huishouden",
    Stakeholder.ENERGY_WATER: "Energie- en waterbedrijf",
    Stakeholder.COOPERATIVE: "Coöperatie",
    Stakeholder.OTHER: "Overig",
}
