"""Every existing person's address becomes their verified, primary sign-in address.

The accounts that exist were made by officers for people they know, at the address the person
signs in with; recording those addresses as verified keeps everyone able to sign in and to
reset their password once sign-in runs through django-allauth.
"""

from django.db import migrations


def verify_existing_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.exclude(email="").iterator():
        email = user.email.lower()
        EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(
            primary=False
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_history_and_invitations"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(verify_existing_addresses, migrations.RunPython.noop),
    ]
