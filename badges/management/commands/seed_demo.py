"""Create demo institutions, issuers, badge classes and accounts. Safe to run again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from badges import endorsements as endorsement_services
from badges import issuing
from badges import services as badge_services
from badges.awarding import awards, bulk, claims
from badges.awarding import enrollments as enrollment_services
from badges.choices import DUTCH_MICROCREDENTIAL_FRAMEWORK
from badges.demo_images import badge_png
from badges.models import Award, BadgeClass, BulkAward, Endorsement, Enrollment
from frameworks import services as framework_services
from frameworks.models import CompetencyFramework, FrameworkItem
from issuers import services as issuer_services
from issuers.badge_types import BadgeType
from issuers.models import Faculty, Institution, Invitation, Issuer, Membership
from issuers.roles import Role
from privacy.models import LegalBasis, PrivacyPolicy, PrivacyStatement
from privacy.services import consent_record, consent_requirement

DEMO_PASSWORD = "edubadges-demo"  # noqa: S105 - shown to every demo user
User = get_user_model()


@dataclass(frozen=True)
class DemoInstitution:
    key: str
    sector: str
    schac_home: str
    brin: str
    name_nl: str
    name_en: str
    faculty_nl: str
    faculty_en: str
    issuer_nl: str
    issuer_en: str
    color: tuple[int, int, int]


INSTITUTIONS = [
    DemoInstitution(
        "mbo",
        "mbo",
        "mbo-college.example",
        "25LP",
        "Demo Vakcollege",
        "Demo Vocational College",
        "Techniek",
        "Engineering",
        "Opleiding Mechatronica",
        "Mechatronics programme",
        (214, 96, 32),
    ),
    DemoInstitution(
        "hbo",
        "hbo",
        "hogeschool.example",
        "21PB",
        "Demo Hogeschool",
        "Demo University of Applied Sciences",
        "Faculteit ICT",
        "Faculty of ICT",
        "Opleiding HBO-ICT",
        "ICT programme",
        (11, 92, 173),
    ),
    DemoInstitution(
        "wo",
        "wo",
        "universiteit.example",
        "21PD",
        "Demo Universiteit",
        "Demo University",
        "Faculteit der Wetenschappen",
        "Faculty of Science",
        "Centre for Data Science",
        "Centre for Data Science",
        (110, 48, 160),
    ),
]

LEGAL_BASES = {
    BadgeType.DIGITAL_EDUCATION: LegalBasis.PUBLIC_TASK,
    BadgeType.MICROCREDENTIAL: LegalBasis.CONSENT,
    BadgeType.EXTRACURRICULAR: LegalBasis.LEGITIMATE_INTEREST,
}


DEMO_NAMESPACE = uuid.UUID("6f1d2c1e-5b0a-4c55-9a57-2f0d7c3e9b10")


def demo_badge_id(demo: DemoInstitution, badge_type: str) -> uuid.UUID:
    """The demo badge's own id: the same on every run and every machine."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{demo.schac_home}/{badge_type}")


FRAMEWORK_ID = uuid.uuid5(DEMO_NAMESPACE, "framework/21st-century-skills")
ENDORSEMENT_ID = uuid.uuid5(DEMO_NAMESPACE, "endorsement/hogeschool-of-universiteit")
BODY_ENDORSEMENT_ID = uuid.uuid5(DEMO_NAMESPACE, "endorsement/beroepsvereniging-of-hogeschool")
# An endorsing body: no school, it vouches for the badges of schools.
BODY_DOMAIN = "ict-beroepsvereniging.example"
FRAMEWORK_ITEMS = [
    ("KD", "Kritisch denken", "Critical thinking"),
    ("CD", "Creatief denken", "Creative thinking"),
    ("PO", "Probleemoplossend denken", "Problem solving"),
    ("CO", "Communiceren", "Communication"),
    ("SW", "Samenwerken", "Collaboration"),
    ("DG", "Digitale geletterdheid", "Digital literacy"),
    ("SC", "Sociale en culturele vaardigheden", "Social and cultural skills"),
    ("ZR", "Zelfregulering", "Self-regulation"),
]
# The demo badges of two institutions aligned to the shared framework: type → item codes.
ALIGNED = {
    "hbo": {BadgeType.EXTRACURRICULAR: ["CO", "SW"], BadgeType.MICROCREDENTIAL: ["KD", "DG"]},
    "wo": {BadgeType.MICROCREDENTIAL: ["KD", "PO", "DG"]},
}


def _user(email: str, first: str, last: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    # The demo accounts own their addresses, so that offers to them show up.
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _role(user, role: str, **scope) -> None:
    Membership.objects.update_or_create(user=user, **scope, defaults={"role": role})


class Command(BaseCommand):
    help = (
        "Create demo institutions (mbo, hbo, wo), issuers, badges of all three types and accounts."
    )

    def handle(self, *args, **options) -> None:
        # Inline (no broker), the demo's emails are written to the console as the
        # transaction commits; the accounts are printed after them, at the bottom.
        with transaction.atomic():
            logins = self._seed()
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Sign in at /accounts/login/ with:")
        )
        for label, email in logins:
            self.stdout.write(f"  {label:28} {email}")
        self.stdout.write(f"  {'password (all demo accounts)':28} {DEMO_PASSWORD}")

    def _seed(self) -> list[tuple[str, str]]:
        platform_admin = _user(
            "admin@edubadges.example", "Platform", "Admin", is_staff=True, is_superuser=True
        )
        logins = [("platform admin", platform_admin.email)]
        framework_items: dict[str, FrameworkItem] = {}
        for demo in INSTITUTIONS:
            institution = self._institution(demo)
            faculty, _ = Faculty.objects.get_or_create(
                institution=institution,
                name_en=demo.faculty_en,
                defaults={"name_nl": demo.faculty_nl},
            )
            issuer, _ = Issuer.objects.get_or_create(
                faculty=faculty,
                name_en=demo.issuer_en,
                defaults={
                    "name_nl": demo.issuer_nl,
                    "email": f"badges@{demo.schac_home}",
                    "url": f"https://www.{demo.schac_home}/",
                    "description_nl": f"{demo.issuer_nl} van {demo.name_nl}.",
                    "description_en": f"{demo.issuer_en} of {demo.name_en}.",
                },
            )
            self._privacy(institution)
            institution_admin = _user(
                f"admin@{demo.schac_home}", "Inge", f"Instelling ({demo.key})"
            )
            issuer_admin = _user(f"issuer-admin@{demo.schac_home}", "Ivo", f"Issuer ({demo.key})")
            awarder = _user(f"awarder@{demo.schac_home}", "Anne", f"Awarder ({demo.key})")
            _role(institution_admin, Role.ADMIN, institution=institution)
            _role(issuer_admin, Role.ADMIN, issuer=issuer)
            _role(awarder, Role.AWARDER, issuer=issuer)
            for number in (1, 2):
                _user(
                    f"student{number}@{demo.schac_home}",
                    f"Student{number}",
                    demo.key.upper(),
                    eppn=f"student{number}@{demo.schac_home}",
                )
            if demo.key == "hbo":
                framework_items = self._framework(institution, institution_admin)
            badges, created = self._badges(demo, issuer, platform_admin, framework_items)
            if created:
                # Awards and badges are made with the demo badges, once: whatever users did
                # since (their own badges, a badge a student deleted) stays as it is.
                self._issue(demo, badges, awarder)
                self._awarding(demo, institution, badges, awarder)
            logins += [
                (f"{demo.key} institution admin", institution_admin.email),
                (f"{demo.key} issuer admin", issuer_admin.email),
                (f"{demo.key} awarder", awarder.email),
                (f"{demo.key} students", f"student1@{demo.schac_home}, student2@{demo.schac_home}"),
            ]
        self._endorsement()
        body_admin = self._endorsing_body(platform_admin)
        logins.append(("endorsing body admin", body_admin.email))
        self._offers_from_elsewhere()
        return logins

    def _endorsing_body(self, platform_admin) -> User:
        """A professional association the platform admin registered; it endorsed the hbo
        microcredential, and the hbo issuer admin accepted."""
        body = Institution.objects.endorsing_bodies().filter(schac_home=BODY_DOMAIN).first()
        if body is None:
            body = issuer_services.endorsing_body_register(
                actor=platform_admin,
                email=f"keurmerk@{BODY_DOMAIN}",
                schac_home=BODY_DOMAIN,
                name_nl="Demo Beroepsvereniging ICT",
                name_en="Demo Association of ICT Professionals",
                description_nl="Demo: de beroepsvereniging van ICT-professionals.",
                description_en="Demo: the professional association of ICT professionals.",
                website=f"https://www.{BODY_DOMAIN}/",
            )
        admin = _user(f"admin@{BODY_DOMAIN}", "Bas", "Beroepsvereniging")
        _role(admin, Role.ADMIN, institution=body)
        if not Endorsement.objects.filter(public_id=BODY_ENDORSEMENT_ID).exists():
            hbo = INSTITUTIONS[1]
            endorsement = endorsement_services.endorsement_request(
                actor=admin,
                endorser=issuer_services.endorsing_body_profile(body),
                badge_class=BadgeClass.objects.get(
                    public_id=demo_badge_id(hbo, BadgeType.MICROCREDENTIAL)
                ),
                comment="Demo: what this microcredential teaches is what our members look "
                "for in a junior ICT professional.",
            )
            Endorsement.objects.filter(pk=endorsement.pk).update(public_id=BODY_ENDORSEMENT_ID)
            endorsement_services.endorsement_accept(
                actor=User.objects.get(email=f"issuer-admin@{hbo.schac_home}"),
                endorsement=endorsement,
            )
        return admin

    def _endorsement(self) -> None:
        """The hbo issuer endorses the wo microcredential, and the wo issuer admin accepts:
        the demo's badge pages then show an endorsement signed by another institution."""
        if Endorsement.objects.filter(public_id=ENDORSEMENT_ID).exists():
            return
        hbo, wo = INSTITUTIONS[1], INSTITUTIONS[2]
        endorser = Issuer.objects.get(
            faculty__institution__schac_home=hbo.schac_home, name_en=hbo.issuer_en
        )
        badge_class = BadgeClass.objects.get(public_id=demo_badge_id(wo, BadgeType.MICROCREDENTIAL))
        endorsement = endorsement_services.endorsement_request(
            actor=User.objects.get(email=f"issuer-admin@{hbo.schac_home}"),
            endorser=endorser,
            badge_class=badge_class,
            comment="Demo: a rigorous module; our students who took it were well prepared "
            "for their graduation project.",
        )
        Endorsement.objects.filter(pk=endorsement.pk).update(public_id=ENDORSEMENT_ID)
        endorsement_services.endorsement_accept(
            actor=User.objects.get(email=f"issuer-admin@{wo.schac_home}"),
            endorsement=endorsement,
        )

    def _offers_from_elsewhere(self) -> None:
        """Each institution offers its microcredential to the first student of the next one:
        the student finds it waiting on signing in, by their address, without the email."""
        for demo, other in zip(INSTITUTIONS, [*INSTITUTIONS[1:], INSTITUTIONS[0]], strict=True):
            module = BadgeClass.objects.filter(
                public_id=demo_badge_id(other, BadgeType.MICROCREDENTIAL)
            ).first()
            student = User.objects.filter(email=f"student1@{demo.schac_home}").first()
            awarder = User.objects.filter(email=f"awarder@{other.schac_home}").first()
            if module is None or student is None or awarder is None:
                continue
            if Award.objects.filter(badge_class=module, recipient_email=student.email).exists():
                continue
            awards.award_create(
                actor=awarder,
                badge_class=module,
                email=student.email,
                recipient_name=student.get_full_name(),
                narrative="Demo: completed this module as a guest student.",
            )

    def _issue(self, demo: DemoInstitution, badges: dict[str, BadgeClass], awarder) -> None:
        """Issue two demo badges to the first demo student of each institution."""
        student = User.objects.get(email=f"student1@{demo.schac_home}")
        for badge_type in (BadgeType.EXTRACURRICULAR, BadgeType.MICROCREDENTIAL):
            issuing.assertion_create(
                actor=awarder,
                badge_class=badges[badge_type],
                email=student.email,
                recipient=student,
                recipient_name=student.get_full_name(),
                narrative="Demo: awarded for taking part in the demo programme.",
            )

    def _awarding(
        self,
        demo: DemoInstitution,
        institution: Institution,
        badges: dict[str, BadgeClass],
        awarder,
    ) -> None:
        """A claimed award, offers waiting to be claimed (one scheduled), an enrolment
        request and a finished bulk award, so that every awarding page has something."""
        extracurricular = badges[BadgeType.EXTRACURRICULAR]
        programming = badges[BadgeType.DIGITAL_EDUCATION]
        module = badges[BadgeType.MICROCREDENTIAL]
        student1 = User.objects.get(email=f"student1@{demo.schac_home}")
        student2 = User.objects.get(email=f"student2@{demo.schac_home}")

        if not Award.objects.filter(badge_class=programming, recipient=student1).exists():
            award = awards.award_create(
                actor=awarder,
                badge_class=programming,
                email=student1.email,
                recipient_name=student1.get_full_name(),
                narrative="Demo: passed the programming assessment.",
                grade="8",
            )
            self._agree(student1, institution, programming.badge_type)
            claims.award_claim(user=student1, award=award)

        if not Award.objects.filter(
            badge_class=extracurricular, recipient_email=student2.email
        ).exists():
            awards.award_create(
                actor=awarder,
                badge_class=extracurricular,
                email=student2.email,
                recipient_name=student2.get_full_name(),
                narrative="Demo: informed prospective students on six open days.",
            )
        if not Award.objects.filter(
            badge_class=programming, recipient_email=student2.email
        ).exists():
            awards.award_create(
                actor=awarder,
                badge_class=programming,
                email=student2.email,
                recipient_name=student2.get_full_name(),
                scheduled_for=timezone.now() + timedelta(days=7),
            )

        # Through the demo eduID: a student who never had an email finds this offer to her eppn.
        eppn = f"s.visser@{demo.schac_home}"
        if not Award.objects.filter(badge_class=extracurricular, recipient_eppn=eppn).exists():
            awards.award_create(
                actor=awarder,
                badge_class=extracurricular,
                eppn=eppn,
                recipient_name="Sanne Visser",
                narrative="Demo: organised the study association's hackathon.",
            )
        # Through the demo SURFconext: a teacher invited by eppn gets the role at first sign-in.
        teacher = f"j.devries@{demo.schac_home}"
        if (
            not Invitation.objects.filter(
                eppn=teacher, accepted_at__isnull=True, expires_at__gt=timezone.now()
            ).exists()
            and not Membership.objects.filter(user__eppn=teacher).exists()
        ):
            issuer_services.invitation_create(
                actor=User.objects.get(email="admin@edubadges.example"),
                institution=institution,
                issuer=extracurricular.issuer,
                eppn=teacher,
                role=Role.AWARDER,
            )

        if not Enrollment.objects.filter(badge_class=module, user=student2).exists():
            self._agree(student2, institution, module.badge_type)
            enrollment_services.enrollment_request(
                user=student2,
                badge_class=module,
                narrative="Demo: I completed the module and handed in my portfolio.",
                evidence_url=f"https://portfolio.{demo.schac_home}/student2",
            )

        filename = "demo-open-day-volunteers.csv"
        if not BulkAward.objects.filter(badge_class=extracurricular, filename=filename).exists():
            lines = ["email;name;narrative"]
            lines += [
                f"volunteer{number}@{demo.schac_home};Volunteer {number};Demo: open day {number}"
                for number in (1, 2, 3)
            ]
            lines.append("not-an-email-address;Someone;Demo: a line with an error")
            upload = bulk.bulk_award_upload(
                actor=awarder,
                badge_class=extracurricular,
                file=ContentFile(("\n".join(lines) + "\n").encode(), name=filename),
            )
            bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
            bulk.bulk_award_start(actor=awarder, bulk=upload, skip_errors=True)

    def _agree(self, user, institution: Institution, badge_type: str) -> None:
        """The consent or acknowledgement the student would give on the consent page."""
        requirement = consent_requirement(user=user, institution=institution, badge_type=badge_type)
        if not requirement.satisfied:
            consent_record(user=user, statement=requirement.statement, agreed=True)

    def _institution(self, demo: DemoInstitution) -> Institution:
        institution, _ = Institution.objects.get_or_create(
            schac_home=demo.schac_home,
            defaults={
                "sector": demo.sector,
                "brin": demo.brin,
                "name_nl": demo.name_nl,
                "name_en": demo.name_en,
                "description_nl": f"{demo.name_nl} is een demo-instelling.",
                "description_en": f"{demo.name_en} is a demo institution.",
                "website": f"https://www.{demo.schac_home}/",
                "enabled_badge_types": list(BadgeType.values),
                "eppn_pattern": rf"^[a-z0-9.\-]+@{demo.schac_home.replace('.', chr(92) + '.')}$",
            },
        )
        return institution

    def _privacy(self, institution: Institution) -> None:
        for badge_type, basis in LEGAL_BASES.items():
            policy, _ = PrivacyPolicy.objects.get_or_create(
                institution=institution,
                badge_type=badge_type,
                defaults={
                    "legal_basis": basis,
                    "purpose_nl": "Het uitgeven, bewaren en laten verifiëren van badges.",
                    "purpose_en": "Issuing, keeping and verifying badges.",
                },
            )
            PrivacyStatement.objects.get_or_create(
                policy=policy,
                version=1,
                defaults={
                    "text_nl": f"{institution.name_nl} verwerkt je naam, e-mailadres en eduID om deze badge uit te geven. "
                    "Je badge is privé tot je hem openbaar maakt.",
                    "text_en": f"{institution.name_en} processes your name, email address and eduID to issue this badge. "
                    "Your badge stays private until you make it public.",
                    "excerpt_nl": "We gebruiken je naam en e-mailadres om je badge uit te geven.",
                    "excerpt_en": "We use your name and email address to issue your badge.",
                    "retention_days": 365 * 7,
                },
            )

    def _framework(self, institution: Institution, admin) -> dict[str, FrameworkItem]:
        """The 21st Century Skills, kept by the hbo institution and shared with all."""
        framework = CompetencyFramework.objects.filter(public_id=FRAMEWORK_ID).first()
        if framework is None:
            framework = framework_services.framework_create(
                actor=admin,
                institution=institution,
                name_nl="21e-eeuwse vaardigheden",
                name_en="21st Century Skills",
                version="2024",
                publisher="SLO",
                url="https://www.slo.nl/thema/meer/21e-eeuwse-vaardigheden/",
                description_nl="Vaardigheden die leerlingen en studenten nodig hebben om te "
                "functioneren in de samenleving van de 21e eeuw.",
                description_en="The skills pupils and students need to take part in the "
                "society of the 21st century.",
                shared=True,
                public_id=FRAMEWORK_ID,
            )
        items = {item.code: item for item in framework.items.all()}
        for position, (code, name_nl, name_en) in enumerate(FRAMEWORK_ITEMS):
            if code not in items:
                items[code] = framework_services.framework_item_create(
                    actor=admin,
                    framework=framework,
                    code=code,
                    name_nl=name_nl,
                    name_en=name_en,
                    position=position,
                )
        return items

    def _badges(
        self,
        demo: DemoInstitution,
        issuer: Issuer,
        actor,
        framework_items: dict[str, FrameworkItem] | None = None,
    ) -> tuple[dict[str, BadgeClass], bool]:
        """The demo badge of each type, found by its own id (never by name or type, which
        users' badges share); created when missing. Says whether any was created."""
        mbo = demo.sector == "mbo"
        definitions = [
            {
                "badge_type": BadgeType.EXTRACURRICULAR,
                "name_nl": "Studentambassadeur",
                "name_en": "Student ambassador",
                "description_nl": "Voor studenten die een jaar lang voorlichting gaven aan aankomende studenten.",
                "description_en": "For students who informed prospective students for a full year.",
                "criteria_nl": "- Minstens zes open dagen\n- Een verslag van je ervaringen",
                "criteria_en": "- At least six open days\n- A report of your experiences",
                "tags": ["volunteering", "community"],
            },
            {
                "badge_type": BadgeType.DIGITAL_EDUCATION,
                "name_nl": "Programmeren 1",
                "name_en": "Programming 1",
                "description_nl": "Basisvaardigheden in programmeren.",
                "description_en": "Basic programming skills.",
                "criteria_en": "Pass the programming assessment.",
                "criteria_nl": "Haal de programmeertoets.",
                "learning_outcomes_en": "Write small programs\nUse version control",
                "learning_outcomes_nl": "Kleine programma's schrijven\nVersiebeheer gebruiken",
                "eqf_level": 4 if mbo else 6,
                "nlqf_level": "4" if mbo else "6",
                "programme_identifier": "25187" if mbo else "34479",
            },
            {
                "badge_type": BadgeType.MICROCREDENTIAL,
                "name_nl": "Data-analyse met Python",
                "name_en": "Data analysis with Python",
                "description_nl": "Een module over data-analyse.",
                "description_en": "A module on data analysis.",
                "criteria_en": "Complete the module and pass the portfolio assessment.",
                "criteria_nl": "Rond de module af en haal het portfolio-assessment.",
                "learning_outcomes_en": "Clean and explore data sets\nVisualise results\nReport findings",
                "learning_outcomes_nl": "Datasets opschonen en verkennen\nResultaten visualiseren\nBevindingen rapporteren",
                "eqf_level": 4 if mbo else 6,
                "nlqf_level": "4" if mbo else "6",
                "study_load_hours": 240 if mbo else None,
                "study_load_ects": None if mbo else 5,
                "assessment_type": "portfolio",
                "participation": "blended",
                "quality_assurance_name": DUTCH_MICROCREDENTIAL_FRAMEWORK["name"],
                "quality_assurance_url": DUTCH_MICROCREDENTIAL_FRAMEWORK["url"],
                "quality_assurance_description": DUTCH_MICROCREDENTIAL_FRAMEWORK["description"],
                "self_enrollment_enabled": True,
                "expiry_amount": 5,
                "expiry_unit": "years",
            },
        ]
        badges: dict[str, BadgeClass] = {}
        created = False
        for definition in definitions:
            public_id = demo_badge_id(demo, definition["badge_type"])
            badge_class = BadgeClass.objects.filter(public_id=public_id).first()
            if badge_class is None:
                image = ContentFile(
                    badge_png(demo.color), name=f"{demo.key}-{definition['badge_type']}.png"
                )
                codes = ALIGNED.get(demo.key, {}).get(definition["badge_type"], [])
                badge_class = badge_services.badge_class_create(
                    actor=actor,
                    issuer=issuer,
                    image=image,
                    public_id=public_id,
                    framework_items=[(framework_items or {})[code] for code in codes],
                    **definition,
                )
                created = True
            badges[definition["badge_type"]] = badge_class
        return badges, created
