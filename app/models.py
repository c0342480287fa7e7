"""Every ORM model, imported in one place so that Alembic sees the whole schema."""

from app.admin.models import AdminApproval
from app.alerts.models import Alert, ClinicAlertRule, ParticipantAlertRule
from app.assessments.models import Assessment, AssessmentSchedule
from app.audit.models import AuditEvent
from app.auth.models import (
    ActivationCode,
    AuthSession,
    IntegrationClient,
    IntegrationConsent,
    LoginFailure,
    RefreshToken,
)
from app.care.models import CareAssignment, CareBackup, CareCovering
from app.clinician.models import ClinicianNote, ReviewMark
from app.db import Base
from app.events.models import DomainEvent
from app.experience.models import ExperienceReport
from app.integrations.models import WebhookEndpoint
from app.journal.models import JournalCounter, JournalEntry
from app.support.models import SupportSettings
from app.users.models import User

__all__ = [
    "ActivationCode",
    "AdminApproval",
    "Alert",
    "Assessment",
    "AssessmentSchedule",
    "AuditEvent",
    "AuthSession",
    "Base",
    "CareAssignment",
    "CareBackup",
    "CareCovering",
    "ClinicAlertRule",
    "ClinicianNote",
    "DomainEvent",
    "ExperienceReport",
    "IntegrationClient",
    "IntegrationConsent",
    "JournalCounter",
    "JournalEntry",
    "LoginFailure",
    "ParticipantAlertRule",
    "RefreshToken",
    "ReviewMark",
    "SupportSettings",
    "User",
    "WebhookEndpoint",
]
