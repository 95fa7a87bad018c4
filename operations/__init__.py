"""The operations layer: one function per use case, without Flask.

Each takes the portal's parts (``operations.portal.Portal``: repositories, files, a
notifier, a clock, the workflow table), then loads, checks, transitions, saves and
notifies. The blueprints of ``web`` and the ``dichvucong`` command only parse their
input, call one operation and choose the page or the output.

    operations.dossiers    the citizen's: create, update with attachments, confirm, submit, delete
    operations.desk        the one-stop desk's: every action of the workflow table
    operations.publishing  the agencies': check, publish, withdraw a service definition
    operations.files       keeping an uploaded file, checked by its content
    operations.mail        the mail queue and its delivery
"""
