"""A session's printed documents — the 民主测评票 and the 民主测评计票表 — made in the background (reserve.jobs) when
the session is about more nominations than a request should lay out.

Each document holds every nomination of the session (a ballot lists all of its village's people under inspection,
the tally sheet records each one's ballots), so it grows with them: WeasyPrint lays out the tally sheet in about
0.2 s a nomination (a table of 70 cells and four paragraphs each; 13 s for a session of 76 at county scale), the
ballot in about 0.03 s. Up to INLINE_NOMINATIONS the view renders the PDF in the request (a second or two at most);
beyond, it starts this job and sends the user to the job's page, which offers the file when it is ready. The job
renders the same document in one piece (the same archival PDF/A as in the request), within reserve.pdf's bounds:
PDF_MAX_HTML_BYTES (about 190 nominations on the tally sheet) and PDF_RENDER_TIMEOUT; beyond them the job fails
with their message.
"""

from django.utils.translation import gettext as _

from reserve import audit, jobs
from reserve.exceptions import NotAllowed, NotFound
from reserve.pdf import PdfRefused, render_pdf
from reserve.roles import Role
from reserve.scope import Scope

from .selectors import get_session_for_user_or_404

BALLOT = "inspection.ballot_pdf"
TALLY_SHEET = "inspection.tally_sheet_pdf"
# Nominations a session's PDF may hold and still be rendered in the request (about 2 s for the tally sheet).
INLINE_NOMINATIONS = 8


def start(user, kind, session, title):
    """Start (or find running) the job of one of a session's documents for this user."""
    return jobs.start(user, kind, title=title, params={"session": session.pk})


def session_of(job):
    """The job's session in its owner's scope now (the job may run, or be downloaded, later than asked)."""
    owner = job.owner
    try:
        Scope.for_user(owner).require_role(Role.OFFICE, Role.COMMITTEE)
        return get_session_for_user_or_404(owner, job.params.get("session"))
    except (NotFound, NotAllowed):
        raise jobs.JobRefused(_("该民主测评不存在，或您已无权查看。")) from None


def run(job, out, progress) -> str:
    """The runner of both kinds: the document of the session, in the owner's scope now (the job may run later)."""
    from .views import session_document  # the document's context is laid out where the request's is

    owner = job.owner
    session = session_of(job)
    template, context = session_document(owner, job.kind, session)
    progress(0, len(context["rows"]))
    try:
        out.write(render_pdf(template, context))
    except PdfRefused as refusal:
        raise jobs.JobRefused(refusal.message) from None
    progress(len(context["rows"]), len(context["rows"]))
    audit.record(audit.AuditEntry.Action.EXPORT, user=owner, obj=session,
                 detail={"file": job.kind.split(".", 1)[1], "rows": len(context["rows"]), "job": job.pk})
    return f"{context['title']}.pdf"


jobs.register(BALLOT, run=run, check=session_of)
jobs.register(TALLY_SHEET, run=run, check=session_of)
