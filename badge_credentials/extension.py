"""The JSON-LD context of our extension terms for OB 3.0 achievements.

OB 3.0 has no properties for the EU micro-credential elements (EQF/NLQF level, form of
participation, type of assessment, quality assurance, study load, learning outcomes), so
they are defined in a context of their own.

**Version 1** (:data:`CONTEXT_V1`, used by every credential issued now) has fixed IRIs, the
same on every installation: the context URL ``https://w3id.org/edubadges/ns/v1`` and, for
terms of our own, the namespace :data:`VOCABULARY` (``https://w3id.org/edubadges/ns#``).
Where the European Learning Model (ELM, Europass) has the term, the term *is* the ELM one:

- ``eqfLevel`` → ``elm:EQFLevel``, its value the Europass EQF concept
  (``http://data.europa.eu/snb/eqf/6``);
- ``participation`` (the mode of learning) → ``elm:mode``;
- ``creditPoint`` → ``elm:creditPoint``, a ``CreditPoint`` (``elm:CreditPoint``) with
  ``framework`` (``elm:framework``, the credit system: the Europass concept of ECTS) and
  ``point`` (``elm:point``); OB's ``creditsAvailable`` alone would read as credit hours.

The context document is bundled with this package (:mod:`badge_credentials.contexts`) and
served by the portal. Its terms never change meaning: a change makes a version 2.

**The legacy context** (:func:`extension_context_url`, ``<SITE_URL>/ns/badges/context-v1.jsonld``)
built its IRIs from the portal's address. Credentials issued with it keep verifying because
the portal keeps serving :func:`extension_context_document` exactly as before; nothing new
uses it.

Every term maps to a full IRI so that RDFC-1.0 canonicalisation keeps it and a Data
Integrity proof covers it; both contexts are ``@protected`` like the VC and OB contexts.

Terms (all used on an ``Achievement`` unless noted):

- ``eqfLevel`` (integer 1–8), ``nlqfLevel`` (integer, or a string for the NLQF entry level)
- ``participation``: ``online`` | ``onsite`` | ``blended`` | ``work_experience``
- ``assessmentType`` (text), ``assessmentSupervised`` and ``assessmentIdentityVerified``
  (booleans)
- ``qualityAssurance``: an object of type ``QualityAssurance`` with ``name``, ``url``,
  ``description``
- ``studyLoadHours`` (integer, hours of study, e.g. SBU for mbo)
- ``learningOutcomes`` (ordered list of texts)
- the types ``1EdTechRevocationList`` and ``1EdTechJsonSchemaValidator2019`` (1EdTech's own
  IRIs), which the OB 3.0.3 context leaves to a separate extensions context.
"""

from typing import Any

CONTEXT_V1 = "https://w3id.org/edubadges/ns/v1"
VOCABULARY = "https://w3id.org/edubadges/ns#"
ELM = "http://data.europa.eu/snb/model/elm/"
EQF_LEVEL_CONCEPT = "http://data.europa.eu/snb/eqf/{level}"
# The Europass Standard List of Educational Credit Systems: the European Credit Transfer and
# Accumulation System.
ECTS_CREDIT_SYSTEM = "http://data.europa.eu/snb/education-credit/6fcec5c5af"

EXTENSION_CONTEXT_PATH = "/ns/badges/context-v1.jsonld"
EXTENSION_VOCABULARY_PATH = "/ns/badges/vocab#"

PARTICIPATION_FORMS = ("online", "onsite", "blended", "work_experience")

_XSD = "http://www.w3.org/2001/XMLSchema#"


def _base(base_url: str) -> str:
    base = base_url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ValueError("the portal base URL must be an absolute http(s) URL")
    return base


def extension_context_url(base_url: str) -> str:
    """Return the URL at which the portal serves the extension context."""
    return _base(base_url) + EXTENSION_CONTEXT_PATH


def extension_vocabulary(base_url: str) -> str:
    """Return the namespace IRI of the extension terms (``…/vocab#``)."""
    return _base(base_url) + EXTENSION_VOCABULARY_PATH


def extension_context_document(base_url: str) -> dict[str, Any]:
    """Return the extension context document to publish at :func:`extension_context_url`."""
    vocab = extension_vocabulary(base_url)
    return {
        "@context": {
            "@version": 1.1,
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "eqfLevel": {"@id": vocab + "eqfLevel", "@type": _XSD + "integer"},
            "nlqfLevel": {"@id": vocab + "nlqfLevel"},
            "participation": {"@id": vocab + "participation"},
            "assessmentType": {"@id": vocab + "assessmentType"},
            "assessmentSupervised": {
                "@id": vocab + "assessmentSupervised",
                "@type": _XSD + "boolean",
            },
            "assessmentIdentityVerified": {
                "@id": vocab + "assessmentIdentityVerified",
                "@type": _XSD + "boolean",
            },
            "qualityAssurance": {"@id": vocab + "qualityAssurance", "@type": "@id"},
            "QualityAssurance": {"@id": vocab + "QualityAssurance"},
            "studyLoadHours": {"@id": vocab + "studyLoadHours", "@type": _XSD + "integer"},
            "learningOutcomes": {"@id": vocab + "learningOutcomes", "@container": "@list"},
            "1EdTechRevocationList": {
                "@id": "https://purl.imsglobal.org/spec/vcrl/v1p0/context.json#1EdTechRevocationList"
            },
            "1EdTechJsonSchemaValidator2019": {
                "@id": "https://purl.imsglobal.org/spec/vccs/v1p0/context.json"
                "#1EdTechJsonSchemaValidator2019"
            },
        }
    }


def extension_documents(base_url: str) -> dict[str, dict[str, Any]]:
    """Return ``{extension_context_url: extension_context_document}`` for a document loader."""
    return {extension_context_url(base_url): extension_context_document(base_url)}
