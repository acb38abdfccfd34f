"""OFAC's vocabulary: the labels of its remarks and XML ``idType`` values, and its country names.

The identity-document types and feature types are OFAC's own reference values
(``IDRegDocType`` and ``FeatureType`` in ``sdn_advanced.xml``, 2024-02-23).
"""

from __future__ import annotations

__all__ = [
    "DETAIL_KEYS",
    "DIGITAL_CURRENCY",
    "ID_RENAME",
    "ID_TYPES",
    "OFAC_COUNTRIES",
    "OTHER_LABELS",
]

# OFAC's identity-document types (sdn_advanced.xml IDRegDocType), each kept as an identifier
# under OFAC's own label.
ID_TYPES = (
    "Cedula No.", "Passport", "SSN", "R.F.C.", "D.N.I.", "NIT #", "US FEIN",
    "Driver's License No.", "RUC #", "N.I.E.", "C.I.F.", "Business Registration Document #",
    "RIF #", "National ID No.", "Registration ID", "LE Number", "Bosnian Personal ID No.",
    "Registered Charity No.", "V.A.T. Number", "Credencial electoral", "Kenyan ID No.",
    "Italian Fiscal Code", "Serial No.", "C.U.I.T.", "Tax ID No.", "Moroccan Personal ID No.",
    "Public Security and Immigration No.", "C.U.R.P.", "British National Overseas Passport",
    "C.R. No.", "UK Company Number", "Immigration No.", "Travel Document Number",
    "Electoral Registry No.", "Identification Number", "Paraguayan tax identification number",
    "National Foreign ID Number", "RFC", "Diplomatic Passport",
    "Dubai Chamber of Commerce Membership No.", "Trade License No.",
    "Commercial Registry Number", "Certificate of Incorporation Number", "Tourism License No.",
    "Aircraft Serial Identification", "Cartilla de Servicio Militar Nacional", "C.U.I.P.",
    "Vessel Registration Identification", "Personal ID Card", "VisaNumberID",
    "Matricula Mercantil No", "Residency Number",
    "Numero Unico de Identificacao Tributaria (NUIT)", "CNP (Personal Numerical Code)",
    "Romanian Permanent Resident", "Government Gazette Number", "Fiscal Code",
    "Pilot License Number", "Romanian C.R.", "Folio Mercantil No.",
    "Istanbul Chamber of Comm. No.", "Turkish Identification Number",
    "Romanian Tax Registration", "Stateless Person Passport", "Stateless Person ID Card",
    "Refugee ID Card", "Afghan Money Service Provider License Number", "MMSI",
    "Company Number", "Public Registration Number", "N.I.F.", "RTN", "Numero de Identidad",
    "SRE Permit No.", "Tazkira National ID Card", "License", "Chinese Commercial Code",
    "I.F.E.", "Branch Unit Number", "Enterprise Number", "Organization Code",
    "Citizen's Card Number", "UAE Identification",
    "United Social Credit Code Certificate (USCCC)", "Chamber of Commerce Number",
    "Legal Entity Number", "Business Number", "Birth Certificate Number",
    "Business Registration Number", "Registration Number", "MSB Registration Number",
    "File Number", "C.U.I.", "Seafarer's Identification Document",
    "Unified Social Credit Code (USCC)", "Central Registration System Number",
    "Economic Register Number (CBLS)", "Trademark number", "Permit Number",
    "Military Registration Number",
    # features that identify a party as precisely as a document number does
    "SWIFT/BIC", "BIK (RU)", "ISIN", "Equity Ticker", "MICEX Code", "D-U-N-S Number",
    "UN/LOCODE", "Aircraft Tail Number", "Previous Aircraft Tail Number",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Manufacturer\u2019s Serial Number (MSN)",
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Aircraft Mode S Transponder Code", "Vessel Call Sign", "Other Vessel Call Sign",
)  # fmt: skip

# Shorter names for a few labels, so the same identifier reads the same in every feed.
ID_RENAME = {
    "Unified Social Credit Code (USCC)": "Unified Social Credit Code",
    "Vessel Call Sign": "Call Sign",
    "Other Vessel Call Sign": "Call Sign",
    # OFAC's reference values spell this one with a typographic apostrophe
    "Aircraft Manufacturer\u2019s Serial Number (MSN)": (
        "Aircraft Manufacturer's Serial Number (MSN)"
    ),
}

# Features that only go to the raw remarks (or are handled by their own rule below).
OTHER_LABELS = (
    "Gender", "Website", "Email Address", "Phone Number", "Telephone:", "Fax:",
    "Former Vessel Flag", "Other Vessel Flag", "Vessel Flag", "Location", "Title",
    "Aircraft Manufacture Date", "Aircraft Model", "Aircraft Operator", "Vessel Year of Build",
    "Target Type", "Organization Type:", "Issuer Name", "Other Vessel Type", "VESSEL TYPE",
    "Vessel Owner", "Vessel Tonnage", "Vessel Gross Registered Tonnage",
    "Nationality of Registration", "Registration Country", "Organization Established Date",
    "Secondary sanctions risk:", "Additional Sanctions Information -",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:",
    "CAATSA Section 235 Information:", "IFCA Determination -", "PEESA Information:",
    "Executive Order 13662 Directive Determination -",
)  # fmt: skip

DIGITAL_CURRENCY = "Digital Currency Address - "

# Record-level facts a restriction depends on: label -> details key.
DETAIL_KEYS = {
    "Secondary sanctions risk:": "secondary_sanctions_risk",
    "Additional Sanctions Information -": "additional_sanctions_information",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:": (
        "transactions_prohibited"
    ),
}

# Countries as OFAC spells them that the shared table does not know.
OFAC_COUNTRIES = {
    "bosnia-herzegovina": "BA",
    "bosina-herzegovina": "BA",
    "north macedonia, the republic of": "MK",
    "macedonia, the former yugoslav republic of": "MK",
    "cote d ivoire": "CI",
    "congo, republic of the": "CG",
    "congo, democratic republic of the": "CD",
    "drc": "CD",
    "man, isle of": "IM",
    "palestinian authority": "PS",
    "palestinian territories": "PS",
    "palestine": "PS",
    "gaza strip": "PS",
    "bahamas, the": "BS",
    "england": "GB",
    "phillipines": "PH",
}
