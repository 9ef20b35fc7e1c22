"""factory_boy factories. Matters are built through the service so grants are real."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from portal import services
from portal.models import CoCounselGrant, Contact, Matter, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.CLIENT
    time_zone = "Europe/Warsaw"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    role = User.Role.STAFF
    is_staff = True

    @factory.post_generation
    def mfa(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        # Staff in tests are enrolled unless a test asks otherwise (mfa=False).
        if create and extracted is not False:
            secret = generate_totp_secret()
            TOTP.activate(obj, secret)
            obj.totp_secret = secret  # type: ignore[attr-defined]


class AdminFactory(StaffFactory):
    is_superuser = True


class CoCounselFactory(StaffFactory):
    role = User.Role.COCOUNSEL
    is_staff = False


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    language = "en"
    time_zone = "Europe/Warsaw"


def client_with_contact(**user_kwargs: Any) -> tuple[User, Contact]:
    user = UserFactory(**user_kwargs)
    contact = ContactFactory(
        email=user.email, first_name=user.first_name, last_name=user.last_name, user=user
    )
    return user, contact


_matter_seq = iter(range(1, 10**9))


def make_matter(
    *,
    lawyer: User,
    clients: list[Contact],
    team: list[User] | None = None,
    title: str = "Divorce",
    stage: str | None = None,
    **extra: Any,
) -> Matter:
    matter = services.matter_create(
        actor=lawyer,
        data=services.MatterData(
            reference=extra.pop("reference", f"T-{next(_matter_seq):06d}"),
            title=title,
            practice_area=extra.pop("practice_area", "family"),
            priority=extra.pop("priority", "normal"),
            responsible_lawyer=lawyer,
            team=team or [],
            clients=clients,
            tags=[],
        ),
    )
    if stage:
        Matter.objects.filter(pk=matter.pk).update(stage=stage)
        matter.refresh_from_db()
    return matter


def share_with_cocounsel(
    *, matter: Matter, by: User, user: User, days: float = 30
) -> CoCounselGrant:
    return services.cocounsel_share(
        actor=by,
        matter=matter,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


def join_team(matter: Matter, *staff: User) -> Matter:
    """Put staff members on a matter's team, through the service (so their grants are real)."""
    return services.matter_update(
        actor=matter.responsible_lawyer,
        matter=matter,
        data=services.MatterData(
            reference=matter.reference,
            title=matter.title,
            practice_area=matter.practice_area,
            priority=matter.priority,
            responsible_lawyer=matter.responsible_lawyer,
            team=[*matter.team.all(), *staff],
            clients=list(matter.clients.all()),
            tags=list(matter.tags.all()),
        ),
    )
