"""Every code system URI and code list the FHIR mapping reads or emits, as data (docs/fhir.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
# The HL7 OIDs of the same code systems (FHIR NamingSystem registry, "namingsystem-terminologies"):
# a FHIR feed converted from CDA keeps them as urn:oid: systems, and an RxNorm prescription coded
# so was "unknown medication", i.e. the patient read as untreated.
SYSTEM_OIDS: dict[str, str] = {
    "urn:oid:2.16.840.1.113883.6.1": LOINC,
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.12": CPT,
    "urn:oid:2.16.840.1.113883.6.88": RXNORM,
    "urn:oid:2.16.840.1.113883.6.73": ATC,
    "urn:oid:2.16.840.1.113883.6.8": UCUM,
}
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
LOCAL_RULES_PATH = "/fhir/CodeSystem/rules"

Verified = Literal["verified", "likely", "unverified"]


@dataclass(frozen=True, slots=True)
class Code:
    """One code: system, code, display, what it means to us, and how sure we are of it."""

    system: str
    code: str
    display: str
    meaning: str
    verified: Verified = "verified"


def _codes(system: str, meaning: str, rows: tuple[tuple[str, str], ...], verified: Verified = "verified",
           ) -> tuple[Code, ...]:  # fmt: skip
    return tuple(Code(system, code, display, meaning, verified) for code, display in rows)


# --- Observations (LOINC). DXA meanings name the contract field (generic ones are fall-backs).
DXA: tuple[Code, ...] = (
    *_codes(LOINC, "t_score_lumbar_spine", (("38267-1", "DXA Lumbar spine [T-score] Bone density"),)),
    *_codes(LOINC, "t_score_femur", (
        ("38263-0", "DXA Femur [T-score] Bone density"),
        ("80948-3", "DXA Femur - left [T-score] Bone density"),
        ("80947-5", "DXA Femur - right [T-score] Bone density"),
    )),
    *_codes(LOINC, "t_score_total_hip", (
        ("38264-8", "DXA Hip [T-score] Bone density"),
        ("80946-7", "DXA Hip - left [T-score] Bone density"),
        ("80945-9", "DXA Hip - right [T-score] Bone density"),
    )),
    *_codes(LOINC, "t_score_spine_any", (("104938-6", "DXA Spine [T-score] Bone density"),), "likely"),
    # Forearm T-scores are not one of the contract's three sites: read, never used (VSAC
    # 2.16.840.1.113762.1.4.1248.359 "DEXA Bone Density for Urology Care", 2025-03-12).
    *_codes(LOINC, "t_score_forearm", (
        ("38265-5", "DXA Radius and Ulna [T-score] Bone density"),
        ("80943-4", "DXA Radius and Ulna - right [T-score] Bone density"),
        ("80944-2", "DXA Radius and Ulna - left [T-score] Bone density"),
    )),
)  # fmt: skip
LABS: tuple[Code, ...] = (
    *_codes(LOINC, "egfr", (
        ("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or "
                    "Blood by Creatinine-based formula (CKD-EPI 2021)"),
        ("98980-6", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or "
                    "Blood by Creatinine and Cystatin C-based formula (CKD-EPI 2021)"),
    )),
    *_codes(LOINC, "egfr", (("33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] "
                                        "in Serum or Plasma by Creatinine-based formula (MDRD)"),), "likely"),
    # Accepted on input only: published labels conflict, so we never emit it.
    *_codes(LOINC, "egfr", (("62238-1", "Glomerular filtration rate/1.73 sq M.predicted (CKD-EPI)"),),
            "unverified"),
    *_codes(LOINC, "egfr", (("69405-9", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] "
                                        "in Serum, Plasma or Blood"),), "unverified"),
    # Race-specific estimates (MDRD / CKD-EPI 2009 "among blacks / non-blacks"): the lower value of
    # the same day wins, and a race-free estimate of that day wins over both (see observations.py).
    *_codes(LOINC, "egfr_race_specific", (
        ("48642-3", "Glomerular filtration rate/1.73 sq M.predicted among non-blacks (MDRD)"),
        ("48643-1", "Glomerular filtration rate/1.73 sq M.predicted among blacks (MDRD)"),
    ), "likely"),
    *_codes(LOINC, "egfr_race_specific", (
        ("88293-6", "Glomerular filtration rate/1.73 sq M.predicted among blacks (CKD-EPI)"),
        ("88294-4", "Glomerular filtration rate/1.73 sq M.predicted among non-blacks (CKD-EPI)"),
    ), "unverified"),
    # Total calcium is not albumin-adjusted (the contract's field is): it is used only with an
    # albumin of the same day (observations.py), never as it is.
    *_codes(LOINC, "calcium_total", (("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
                                     ("2000-8", "Calcium [Moles/volume] in Serum or Plasma"))),
    *_codes(LOINC, "calcium_corrected", (
        ("29265-6", "Calcium [Moles/volume] corrected for albumin in Serum or Plasma"),)),
    *_codes(LOINC, "albumin", (("1751-7", "Albumin [Mass/volume] in Serum or Plasma"),), "likely"),
    *_codes(LOINC, "vitamin_d", (("62292-8", "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma"),)),
    *_codes(LOINC, "vitamin_d", (("1989-3", "25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma"),
                                 ("14635-7", "25-Hydroxyvitamin D3 [Moles/volume] in Serum or Plasma")),
            "likely"),
    *_codes(LOINC, "alkaline_phosphatase", (
        ("6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma"),)),
    *_codes(LOINC, "weight", (("29463-7", "Body weight"),)),
    *_codes(LOINC, "height", (("8302-2", "Body height"),)),
)  # fmt: skip
INPUT_ONLY_CODES: frozenset[str] = frozenset({"62238-1", "69405-9", "88293-6", "88294-4"})

# SNOMED body sites that route a DXA T-score (likely: ≥2 third-party sources).
BODY_SITES: tuple[Code, ...] = _codes(SNOMED, "body_site", (
    ("122496007", "Lumbar spine structure"),
    ("29627003", "Structure of neck of femur"),
    ("29836001", "Hip region structure"),
    ("71341001", "Bone structure of femur"),
), "likely")  # fmt: skip
SITE_FEMORAL_NECK, SITE_LUMBAR_SPINE = "29627003", "122496007"
SITE_HIP = frozenset({"29836001", "71341001"})

# Vertebra body structures → treated level (meaning). DICOM PS3.16 CID 7603 "Vertebra", as published in
# bvdh/dicom-terminology-in-fhir (input/fsh/ValueSet-dicom-cid-7603-Vertebra.fsh).
VERTEBRAE: tuple[Code, ...] = tuple(
    Code(SNOMED, code, f"{level} vertebra", level)
    for level, code in (
        ("T1", "64864005"), ("T2", "53733008"), ("T3", "1626008"), ("T4", "73071006"), ("T5", "56401006"),
        ("T6", "45296009"), ("T7", "62487009"), ("T8", "11068009"), ("T9", "82687006"), ("T10", "7610001"),
        ("T11", "12989004"), ("T12", "23215003"), ("L1", "66794005"), ("L2", "14293000"), ("L3", "36470004"),
        ("L4", "11994002"), ("L5", "49668003"),
    )
)  # fmt: skip

# --- Procedures: the index procedure.
PROCEDURES: tuple[Code, ...] = (
    *_codes(CPT, "vertebroplasty", (
        ("22510", "Percutaneous vertebroplasty, cervicothoracic, first body"),
        ("22511", "Percutaneous vertebroplasty, lumbosacral, first body"),
        ("22512", "Percutaneous vertebroplasty, each additional body"),
    )),
    *_codes(CPT, "kyphoplasty", (
        ("22513", "Percutaneous vertebral augmentation with cavity creation, thoracic, first body"),
        ("22514", "Percutaneous vertebral augmentation with cavity creation, lumbar, first body"),
        ("22515", "Percutaneous vertebral augmentation with cavity creation, each additional body"),
    )),
    # No SNOMED kyphoplasty or vertebroplasty code is listed. 429616001 was removed: the KBV NFD ConceptMap
    # (kassenaerztliche-bundesvereinigung/MIOParser, src/Definitions/KBV/PKA/1.0.0/ConceptMap/
    # NFDProcedureGerman.ts) gives it as "Aortopulmonary reconstruction with right ventricle to pulmonary
    # arterial valveless conduit (procedure)". 392010000 "Percutaneous vertebroplasty" appeared only in
    # unofficial code, so it is not listed.
)  # fmt: skip

# --- Conditions. ICD-10-CM entries are PREFIXES (a code matches if it starts with one; dots ignored).
ICD10_PREFIXES: tuple[Code, ...] = (
    *_codes(ICD10CM, "vertebral_osteoporotic", (
        ("M80.08", "Age-related osteoporosis with current pathological fracture, vertebra(e)"),
        ("M80.88", "Other osteoporosis with current pathological fracture, vertebra(e)"),
    )),
    # M84.48 (pathological fracture, other site) is where a non-osteoporotic vertebral one is coded.
    *_codes(ICD10CM, "vertebral_collapse", (("M48.5", "Collapsed vertebra, not elsewhere classified"),
                                            ("M84.48", "Pathological fracture, other site"))),
    # Traumatic codes: they date the index fracture but do not say the energy (cause stays unknown).
    *_codes(ICD10CM, "vertebral_traumatic_code", (("S22.0", "Fracture of thoracic vertebra"),
                                                  ("S32.0", "Fracture of lumbar vertebra"))),
    *_codes(ICD10CM, "fragility_other", (
        ("M80", "Osteoporosis with current pathological fracture (non-vertebral site)"),
        ("Z87.310", "Personal history of (healed) osteoporosis fracture"),
    )),
    *_codes(ICD10CM, "osteoporosis", (("M81", "Osteoporosis without current pathological fracture"),)),
    *_codes(ICD10CM, "rheumatoid_arthritis", (
        ("M05", "Rheumatoid arthritis with rheumatoid factor"),
        ("M06.9", "Rheumatoid arthritis, unspecified"),
    )),
    *_codes(ICD10CM, "diabetes_type1", (("E10", "Type 1 diabetes mellitus"),)),
    *_codes(ICD10CM, "diabetes_type2", (("E11", "Type 2 diabetes mellitus"),)),
    *_codes(ICD10CM, "myeloma", (("C90.0", "Multiple myeloma"), ("C90.2", "Extramedullary plasmacytoma"),
                                 ("C90.3", "Solitary plasmacytoma"))),
    # C00–C96 are malignant neoplasms; myeloma (C90.0x) matches its own, longer prefix first.
    *_codes(ICD10CM, "malignancy", (("C", "Malignant neoplasm (chapter C00–C96)"),)),
)  # fmt: skip
SNOMED_CONDITIONS: tuple[Code, ...] = (
    *_codes(SNOMED, "vertebral_osteoporotic", (
        ("11311601000119109", "Osteoporotic fracture of vertebra"),
        ("203450003", "Osteoporotic fracture of lumbar vertebra"),
        ("203451004", "Osteoporotic fracture of thoracic vertebra"),
        ("240198002", "Osteoporotic vertebral collapse"),
        ("311890007", "Osteoporotic vertebral collapse of lumbar vertebra"),
        ("311891006", "Osteoporotic vertebral collapse of thoracic vertebra"),
    )),
    *_codes(SNOMED, "fragility_other", (("443165006", "Osteoporotic fracture of bone"),)),
    *_codes(SNOMED, "osteoporosis", (
        ("64859006", "Osteoporosis"),
        ("18040001", "Senile osteoporosis"),
        ("102447009", "Postmenopausal osteoporosis"),
        ("390833005", "Osteoporosis caused by corticosteroid"),
    )),
    *_codes(SNOMED, "rheumatoid_arthritis", (("69896004", "Rheumatoid arthritis"),), "likely"),
    *_codes(SNOMED, "diabetes_type1", (("46635009", "Diabetes mellitus type 1"),), "likely"),
    *_codes(SNOMED, "diabetes_type2", (("44054006", "Diabetes mellitus type 2"),), "likely"),
    # Synthea module src/main/resources/modules/trigger_bone_marrow_transplant.json (synthetichealth/synthea):
    # 109989006 "Multiple myeloma (disorder)".
    *_codes(SNOMED, "myeloma", (("109989006", "Multiple myeloma"),)),
    # FHIR core example HL7/fhir source/condition/condition-example-f202-malignancy.xml.
    *_codes(SNOMED, "malignancy", (("363346000", "Malignant neoplastic disease"),)),
    # Replaces 94225005, which is "Secondary malignant neoplasm of brain" (an HL7 mCODE example; a Dutch
    # lung-cancer metastasis value set has 94225005 "hersenen" (brain) and 94222008 "bot" (bone)). It is
    # "likely": DICOM CID 6347 (bvdh/dicom-terminology-in-fhir) gives 94222008 as "Bony metastasis", and an
    # HL7 Lithuania example gives "Secondary malignant neoplasm of bone (disorder)". No value set expansion
    # with this code was found.
    *_codes(SNOMED, "malignancy", (("94222008", "Secondary malignant neoplasm of bone"),), "likely"),
)  # fmt: skip

# --- Medications: the code and name tables live in api/fhir/data/ (see api/fhir/drugs.py).

# --- Codes we emit.
OUTCOME = Code(SNOMED, "11311601000119109", "Osteoporotic fracture of vertebra", "outcome")
REFERRAL_CATEGORY = Code(SNOMED, "3457005", "Patient referral", "referral_category")
REFERRAL_NOTE = Code(LOINC, "57133-1", "Referral note", "letter_type", "likely")
COMMUNICATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/communication-category"
PARTICIPATION_MODE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
# A delivery's purpose → the R4 communication-category of its Communication: the first letter
# notifies the practice of the referral, a reminder reminds it.
COMMUNICATION_CATEGORIES: dict[str, Code] = {
    "letter": Code(COMMUNICATION_CATEGORY, "notification", "Notification", "letter_sent"),
    "reminder": Code(COMMUNICATION_CATEGORY, "reminder", "Reminder", "reminder_sent"),
}
ELECTRONIC = Code(PARTICIPATION_MODE, "ELECTRONIC", "electronic data", "communication_medium")
# Local code systems under <public_base_url>: the clinical tier (what the card says), the assessment
# and the model. The HL7 risk-probability codes describe a probability ("high" = more likely than
# not), not our guideline tier, so they are not emitted (interop.md §2.8).
LOCAL_TIER_PATH = "/fhir/CodeSystem/risk-tier"
LOCAL_ASSESSMENT_PATH = "/fhir/CodeSystem/assessments"
LOCAL_MODEL_PATH = "/fhir/CodeSystem/models"
RISK_TIERS: dict[str, tuple[str, str]] = {
    "very_high": ("very-high", "Very high risk (guideline tier)"),
    "high": ("high", "High risk (guideline tier)"),
}
ASSESSMENT_CODE = (
    "vertebral-refracture-risk",
    "Risk of a new vertebral fracture after vertebral augmentation",
)

CODES: tuple[Code, ...] = (
    *DXA, *LABS, *BODY_SITES, *VERTEBRAE, *PROCEDURES, *ICD10_PREFIXES, *SNOMED_CONDITIONS,
    OUTCOME, REFERRAL_CATEGORY, REFERRAL_NOTE, *COMMUNICATION_CATEGORIES.values(), ELECTRONIC,
)  # fmt: skip
# The first table that lists a code wins: the emitted outcome SNOMED 11311601000119109 is also an
# input vertebral-fracture condition, and must be read as that.
EXACT: dict[tuple[str, str], Code] = {}
for _code in CODES:
    if _code.system != ICD10CM:
        EXACT.setdefault((_code.system, _code.code), _code)


def lookup(system: str | None, code: str | None) -> Code | None:
    """The Code for an exact (system, code) pair, or the longest matching ICD-10-CM prefix."""
    if system is None or code is None:
        return None
    if system == ICD10CM:
        return icd10_lookup(code)
    return EXACT.get((system, code.strip()))


def icd10_lookup(code: str) -> Code | None:
    """The longest ICD-10-CM prefix that ``code`` starts with (dots and case ignored)."""
    plain = code.replace(".", "").strip().upper()
    matches = [c for c in ICD10_PREFIXES if plain.startswith(c.code.replace(".", "").upper())]
    return max(matches, key=lambda c: len(c.code), default=None)
