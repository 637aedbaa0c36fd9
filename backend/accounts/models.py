from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from backend.accounts.domain import normalize_email


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalize_email(email))

    def create_user(self, email, password=None, **fields):
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=60)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.FR)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Her last login or API use (at most hourly: API_TOKEN_SLIDE_EVERY); the inactivity
    # rule of backend/privacy/retention.py reads it.
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When she was warned that her inactive account would be erased; cleared when she comes back.
    inactivity_warned_at = models.DateTimeField(null=True, blank=True)
    # Erased (backend.accounts.services.user_erase): the row stays as a tombstone without
    # personal data, so that what others keep of her trace (a loan, a vouch, a decision)
    # points to `pseudonym`, never to her.
    erased_at = models.DateTimeField(null=True, blank=True)
    pseudonym = models.CharField(max_length=16, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique")]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"


class DeviceToken(models.Model):
    """An API token of one device. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_tokens")
    digest = models.CharField(max_length=64, unique=True)
    device_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.device_name or 'device'} of {self.user_id}"
