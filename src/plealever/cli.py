"""The command line. Heavy modules load inside each command; the analysis commands are thin over
`analyse`. Errors become one line and an exit code in one place (`_Group.invoke`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

# The commands run no third-party pydantic plugin: a plugin would observe the validation of privileged
# case files, and finding plugins scans every installed package's metadata (about 15 ms a start-up).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402


class _Group(TyperGroup):
    """The only place an error becomes an exit code: the package's errors print one line on standard
    error and exit with the code their class names (2 for the user's input); anything else is a bug
    and keeps its traceback."""

    def invoke(self, ctx):  # noqa: ANN001 - click's signature
        from plealever.errors import PlealeverError

        try:
            return super().invoke(ctx)
        except PlealeverError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    help="Sentencing exposure for federal child-exploitation cases, computed offline. Not legal advice.",
)
rules_app = typer.Typer(no_args_is_help=True, help="Inspect the law data.")
app.add_typer(rules_app, name="rules")
cases_app = typer.Typer(no_args_is_help=True, help="The case store (SQLite by default; --db for PostgreSQL).")
app.add_typer(cases_app, name="cases")
DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SQLite in your data directory, or $PLEALEVER_DB)."),
]


def _store(db: str | None):
    from plealever.store import Store

    return Store(db)


@cases_app.command("list")
def cases_list(
    search: Annotated[
        str | None, typer.Option("--search", help="Only cases whose name contains this.")
    ] = None,
    archived: Annotated[bool, typer.Option("--archived", help="List the archived cases instead.")] = False,
    width: WidthOpt = None,
    db: DbOption = None,
) -> None:
    """List stored cases, most recently changed first."""
    from plealever.report.terminal import console, wrapped

    # On a terminal (or with COLUMNS or --width) a long name wraps; into a pipe each case stays one
    # line, as scripts reading the list expect.
    piped = width is None and not sys.stdout.isatty() and "COLUMNS" not in os.environ
    columns = 10**6 if piped else console(width).width
    for r in _store(db).list(search, archived=archived):
        head = f"{r.id}  v{r.current_version}  {r.updated_at:%Y-%m-%d %H:%M}  "
        # The id stays whole on its line (it is what the other commands take); a long name wraps under it.
        room = columns - len(head)
        if room >= 20:
            first, *rest = wrapped(r.name, room, hang=0).split("\n")
            typer.echo(head + first)
            for line in rest:
                typer.echo(" " * len(head) + line)
        else:
            typer.echo(head.rstrip())
            typer.echo(wrapped(r.name, columns, indent=4, hang=0))


@cases_app.command("import")
def cases_import(
    case_file: Annotated[Path, typer.Argument(metavar="CASE", help="Case file (YAML or JSON).")],
    db: DbOption = None,
) -> None:
    """Validate a case file and store it as a new case."""
    with _progress("Importing the case"):
        record = _store(db).import_file(case_file)
    typer.echo(record.id)


IdArg = Annotated[
    str, typer.Argument(metavar="ID", help="A case id or a unique prefix of one, optionally @version.")
]


def _ref(store, ref: str, version: int | None = None) -> tuple[str, int | None]:
    case_id, at = store.resolve(ref)
    return case_id, at if at is not None else version


@cases_app.command("show")
def cases_show(
    case_id: IdArg,
    version: Annotated[int | None, typer.Option("--version", help="A past version.")] = None,
    db: DbOption = None,
) -> None:
    """Show a stored case as YAML."""
    from plealever.store.db import canonical_yaml

    store = _store(db)
    r = store.get(*_ref(store, case_id, version))
    typer.echo(f"# {r.name}, version {r.version} of {r.current_version}")
    typer.echo(canonical_yaml(r.data), nl=False)


@cases_app.command("export")
def cases_export(
    case_id: IdArg,
    fmt: Annotated[str, typer.Option("-f", "--format", help="yaml or json.")] = "yaml",
    version: Annotated[int | None, typer.Option("--version", help="A past version.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (atomically).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export a case file (exactly as imported, if that version was imported in this format)."""
    from plealever.errors import UsageError, quote
    from plealever.files import check_output, write_atomic

    if fmt not in ("yaml", "json"):
        raise UsageError(f"unknown format {quote(fmt)}; expected yaml or json", field="--format")
    if output is not None:
        check_output(output)  # a folder or a missing folder fails before the store is opened
    store = _store(db)
    text = store.export(*_ref(store, case_id, version), fmt)
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text.encode("utf-8"))


@cases_app.command("history")
def cases_history(
    case_id: IdArg,
    db: DbOption = None,
) -> None:
    """Every version of a case, with the changes from the one before."""
    store = _store(db)
    for v in store.history(_ref(store, case_id)[0]):
        typer.echo(f"version {v['version']}  {v['created_at']}  {v['note'] or ''}")
        if v["diff"]:
            typer.echo(v["diff"])


@cases_app.command("delete")
def cases_delete(
    case_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a case and its whole history (asks first)."""
    from plealever.errors import UsageError

    store = _store(db)
    full, _ = _ref(store, case_id)
    r = store.get(full)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to delete without confirmation; pass --yes", field="--yes")
        typer.confirm(
            f"Delete {r.name!r} ({full}) and all {r.current_version} versions? This cannot be undone",
            abort=True,
        )
    n = store.delete(full)
    typer.echo(f"deleted {full} ({n} version{'s' if n != 1 else ''})")


@cases_app.command("archive")
def cases_archive(case_id: IdArg, db: DbOption = None) -> None:
    """Archive a case: kept with its history, but out of the list (see `cases list --archived`)."""
    store = _store(db)
    full, _ = _ref(store, case_id)
    store.archive(full)
    typer.echo(f"archived {full}")


@cases_app.command("unarchive")
def cases_unarchive(case_id: IdArg, db: DbOption = None) -> None:
    """Bring an archived case back to the list."""
    store = _store(db)
    full, _ = _ref(store, case_id)
    store.archive(full, archived=False)
    typer.echo(f"unarchived {full}")


CaseArg = Annotated[
    str,
    typer.Argument(
        help="Case file (YAML or JSON), or a stored case id or unique prefix, optionally @version "
        "(e.g. 3f2a@2).",
        metavar="CASE",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
DrawsOpt = Annotated[int | None, typer.Option("--draws", min=100, help="Monte Carlo draws per scenario.")]
WidthOpt = Annotated[
    int | None,
    typer.Option("--width", min=40, max=1000, help="Columns to fit (default: the terminal's width)."),
]


def _analysis(case_file: str, db: str | None = None, **options):
    """Load the case (a file, or a stored case by id) and analyse it (as far as `options["upto"]` asks)."""
    from plealever.analysis import analyse
    from plealever.store.refs import read_case

    loaded = read_case(case_file, db)
    return analyse(loaded.case, source=loaded.source, **options)


def _print_json(data) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _show(a, value, as_json: bool, to_json, view: str, width: int | None = None) -> None:
    """Print `value` of analysis `a` as JSON, or through the terminal view named `view`, fitted to the
    terminal (or to `width` columns)."""
    if as_json:
        return _print_json(to_json(value))
    from plealever.report import terminal

    getattr(terminal, view)(value, case_name=a.name, console=terminal.console(width))


@app.command()
def calc(
    case_file: CaseArg,
    as_json: JsonOpt = False,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also write the worksheet as a PDF to this file.")
    ] = None,
    width: WidthOpt = None,
    db: DbOption = None,
) -> None:
    """Compute the guideline, statutory and effective ranges, step by step."""
    from plealever.errors import CaseFileError

    if pdf is not None and not pdf.parent.exists():
        raise CaseFileError("the output folder does not exist", file=str(pdf))
    a = _analysis(case_file, db, upto="exposure")
    if pdf is not None:
        from plealever.report import render, write_atomic
        from plealever.report.worksheet_doc import worksheet_context

        with _progress("Writing the PDF worksheet"):
            write_atomic(pdf, render(worksheet_context(a), "pdf"))
        typer.echo(f"wrote {pdf}", err=True)
    _show(a, a.result, as_json, lambda r: r.to_dict(), "render_worksheet", width)


@app.command()
def history(case_file: CaseArg, as_json: JsonOpt = False, width: WidthOpt = None, db: DbOption = None) -> None:
    """Compute the criminal history points and category from the prior record, record by record."""
    a = _analysis(case_file, db, upto="exposure")

    def to_json(result):
        c = result.calculation
        return {
            "edition": c.edition.isoformat(),
            **c.history.to_dict(),
            "criminal_history_category": c.criminal_history_category,
            "warnings": [w for w in a.warnings if "criminal" in w.lower()],
        }

    _show(a, a.result, as_json, to_json, "render_history", width)


@app.command()
def assess(case_file: CaseArg, as_json: JsonOpt = False, width: WidthOpt = None, db: DbOption = None) -> None:
    """Assess the mitigation evidence: strength per factor, levers, gaps, risks, a disclosure plan, and
    which missing evidence is worth obtaining first (that ranking prices the scenarios)."""
    with _progress("Assessing the mitigation and pricing the investigation"):
        a = _analysis(case_file, db)
    if as_json:
        return _print_json({**a.assessment.to_dict(), "investigation": a.investigation})
    from plealever.report import terminal

    terminal.render_assessment(
        a.assessment,
        case_name=a.name,
        investigation=a.investigation if a.comparison else None,
        console=terminal.console(width),
    )


@app.command()
def offers(
    case_file: CaseArg,
    as_json: JsonOpt = False,
    advisement: Annotated[
        str | None,
        typer.Option("--advisement", metavar="OFFER", help="Write the client advisement record for this offer."),
    ] = None,
    fmt: Annotated[str, typer.Option("-f", "--format", help="md, html, docx or pdf (with --advisement).")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the advisement to this file (atomically).")
    ] = None,
    draws: DrawsOpt = None,
    width: WidthOpt = None,
    db: DbOption = None,
) -> None:
    """The offers on file as a history: each offer's terms, status today and exposure beside the
    recommended option; with --advisement, a one-page client advisement record (Lafler; Frye)."""
    if advisement is not None:
        _check_document_output(fmt, output)
    with _progress("Pricing the offers"):
        a = _analysis(case_file, db, draws=draws)
    if a.comparison is None:
        raise a.error
    if advisement is None:
        if as_json:
            return _print_json({"offers": a.offers, "recommended": a.comparison.recommended})
        from plealever.report import terminal

        return terminal.render_offers(a.comparison, case_name=a.name, console=terminal.console(width))
    from plealever.report.advisement import render_advisement

    with _progress(f"Writing the {fmt.upper()} advisement", slow=fmt in ("pdf", "docx")):
        data = render_advisement(a, advisement, fmt)
    _emit(data, output)


@app.command()
def scenarios(
    case_file: CaseArg,
    as_json: JsonOpt = False,
    draws: DrawsOpt = None,
    width: WidthOpt = None,
    db: DbOption = None,
) -> None:
    """Compare the plausible pleas and trial: exposure, availability, agreement and sentence distribution."""
    with _progress("Simulating the scenarios"):
        a = _analysis(case_file, db, draws=draws)
    if a.comparison is None:
        raise a.error
    _show(a, a.comparison, as_json, lambda r: r.to_dict(), "render_scenarios", width)


@app.command()
def calibrate(
    records: Annotated[
        Path | None,
        typer.Option(
            "--records",
            help="Score the model on a file of offender rows in the Commission's names (CSV, .csv.xz, SAS); "
            "a supplemental file (SENTRNGE) gets the older range-position comparison.",
        ),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="With --records: write row,p_below,p_within,p_above,q10,q25,q50,q75,q90 for every data row.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    refit: Annotated[
        bool,
        typer.Option("--refit", help="Refit the practice model on the loaded rows (held-out test first) and keep it."),
    ] = False,
    width: WidthOpt = None,
) -> None:
    """The outcome model beside Sentencing Commission data: held-out year, published cells, contrasts."""
    from plealever.errors import UsageError
    from plealever.law.rulebook import rulebook
    from plealever.negotiation import calibration

    book = rulebook()
    if predictions is not None and records is None:
        raise UsageError("--predictions needs --records FILE")
    if refit:
        return _refit(as_json)
    kind = calibration.file_kind(records) if records is not None else None
    if kind == "neither":
        from plealever.data.records import COLUMNS
        from plealever.errors import RecordsError

        raise RecordsError(
            f"expected columns of offender rows ({', '.join(COLUMNS)}) or of a supplemental file "
            "(OFFGUIDE, PCNTDEPT, SENTRNGE)",
            file=str(records),
        )
    if kind == "offender":
        return _score(records, predictions, as_json)
    if records is not None:
        if predictions is not None:
            raise UsageError("a supplemental file has no range; --predictions needs offender rows", file=str(records))
        result = calibration.compare(book.documents["outcome-model"]["fitted"], calibration.read(records))
    else:
        from plealever.negotiation import practice_checks

        with _progress("Scoring the outcome model"):
            result = calibration.report(book)
            result["practice"] = practice_checks.report(book)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    from plealever.report.practice_view import render_practice_checks
    from plealever.report.terminal import console, render_calibration

    render_calibration(result, records=str(records) if records else None, console=console(width))
    if records is None:
        render_practice_checks(result["practice"])


def _score(records: Path, predictions: Path | None, as_json: bool) -> None:
    """Score the practice model on a file of offender rows; write the predictions atomically."""
    from plealever.data import records as rec
    from plealever.data.store import load
    from plealever.negotiation import practice

    with _progress(f"Scoring the practice model on {records.name}"):
        recs = rec.read(records)
        params = practice.load_params()
        pred = practice.predict_records(params, recs)
        base = practice.baseline_fit(load(), years=params.doc["data"]["fiscal_years"])
        result = practice.evaluate(params, recs, base, pred)
    result["file"] = str(records)
    if predictions is not None:
        practice.write_predictions(pred, predictions)
        result["predictions"] = str(predictions)
    if as_json:
        return _print_json(result)
    from plealever.report.practice_view import render_scores

    render_scores(result, title=f"Practice model scored on {records}")
    if predictions is not None:
        typer.echo(f"predictions written to {predictions}")


def _refit(as_json: bool) -> None:
    """Refit the practice model on the loaded rows and keep it in the data directory."""
    from plealever.data.store import load
    from plealever.negotiation import practice

    with _progress("Refitting the practice model on the loaded rows (about a minute)"):
        doc = practice.refit(load())
    path = practice.user_params_path()
    practice.write_params(doc, path)
    result = {"data": doc["data"], "held_out": doc.get("held_out"), "prior_widths": doc["prior_widths"],
              "written": str(path)}
    if as_json:
        return _print_json(result)
    from plealever.report.practice_view import render_scores

    d = result["data"]
    typer.echo(f"Refitted on {d['rows']} rows (FY{d['fiscal_years'][0]}-FY{d['fiscal_years'][-1]}); "
               f"parameters written to {path}")
    ho = result["held_out"]
    if ho:
        render_scores(ho, title=f"Held out: fitted on FY{ho['fitted_on'][0]}-FY{ho['fitted_on'][-1]}, "
                      f"scored on FY{ho['held_out']}")


@app.command()
def districts(as_json: JsonOpt = False, width: WidthOpt = None) -> None:
    """The federal districts a case file's court.district may name: the Sentencing Commission's list."""
    from plealever.law.districts import all_districts, source

    rows = [
        {"name": d.name, "court": d.court_name, "circuit": d.circuit, "code": d.code} for d in all_districts()
    ]
    if as_json:
        return _print_json({"districts": rows, "source": source()})
    from rich.table import Table

    from plealever.report.terminal import console

    table = Table("District (court.district)", "Court", "Circuit", "Code", header_style="bold", pad_edge=False)
    for r in rows:
        table.add_row(r["name"], r["court"], r["circuit"], str(r["code"]))
    out = console(width)
    out.print(table)
    out.print(
        f"{len(rows)} districts, from the {source()['codes']}. Common spellings are accepted too: "
        "'E.D. Tex.', 'EDTX', 'Eastern District of Texas'."
    )


@app.command()
def similar(case_file: CaseArg, as_json: JsonOpt = False, width: WidthOpt = None, db: DbOption = None) -> None:
    """What happened to offenders with the case's guideline range: nationally, in its circuit and district, by plea."""
    from plealever.negotiation.similar import panel_for_analysis

    with _progress("Reading the offender rows"):
        result = panel_for_analysis(_analysis(case_file, db, draws=100))  # the panel reads no draws
    if as_json:
        return _print_json(result)
    from plealever.report import terminal
    from plealever.report.practice_view import render_similar

    render_similar(result, console=terminal.console(width))


data_app = typer.Typer(no_args_is_help=True, help="Sentencing Commission offender rows for the practice model.")
app.add_typer(data_app, name="data")


@data_app.command("import")
def data_import(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CSV, .csv.xz, .sas7bdat or .xpt files.")],
    as_json: JsonOpt = False,
) -> None:
    """Import offender rows (child-pornography rows, OFFGUIDE 7, are kept) into the local store, atomically."""
    from plealever.data.store import import_files

    with _progress(f"Importing {len(files)} file{'s' if len(files) != 1 else ''}"):
        status = import_files(files)
    _data_status(status, as_json)


@data_app.command("status")
def data_status(as_json: JsonOpt = False) -> None:
    """What offender rows are loaded: files, fiscal years, row counts, checksum."""
    from plealever.data.store import status

    _data_status(status(), as_json)


def _data_status(status: dict, as_json: bool) -> None:
    from plealever.negotiation import practice

    params = practice.load_params()
    checksum = params.doc["data"]["checksum"]
    status["parameters"] = {"origin": params.origin, "checksum": checksum, "matches": checksum == status["checksum"]}
    if as_json:
        return _print_json(status)
    from plealever.report.practice_view import render_status

    render_status(status)


@app.command()
def memo(
    case_file: CaseArg,
    fmt: Annotated[str, typer.Option("-f", "--format", help="md, html, docx or pdf.")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (atomically).")
    ] = None,
    author: Annotated[
        str | None,
        typer.Option("--author", help="The document's author (default: $PLEALEVER_AUTHOR)."),
    ] = None,
    docx_template: Annotated[
        Path | None,
        typer.Option(
            "--docx-template",
            help="A Word .docx whose styles the DOCX memo uses (default: $PLEALEVER_DOCX_TEMPLATE).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the negotiation memo. Markdown goes to standard output unless -o is given."""
    from plealever.errors import CaseFileError
    from plealever.report import render_memo
    from plealever.report.render import DocumentOptions

    _check_document_output(fmt, output)
    options = DocumentOptions.from_env(author, docx_template)
    if options.docx_template is not None and not options.docx_template.is_file():
        raise CaseFileError("no such Word template", file=str(options.docx_template))
    with _progress("Analysing the case"):
        analysis = _analysis(case_file, db)
    with _progress(f"Writing the {fmt.upper()} memo", slow=fmt in ("pdf", "docx")):
        data = render_memo(analysis, fmt, options)
    _emit(data, output)


def _emit(data: bytes, output: Path | None) -> None:
    """A document to standard output (text formats; _check_document_output refuses binary ones there), or
    to `output` atomically."""
    from plealever.files import write_atomic

    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    write_atomic(output, data)
    typer.echo(f"wrote {output}", err=True)


def _check_document_output(fmt: str, output: Path | None) -> None:
    """A document format the renderers know, and somewhere a binary one can go, before any work."""
    from plealever.errors import UsageError, quote
    from plealever.files import check_output
    from plealever.report import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {quote(fmt)}; expected one of {', '.join(FORMATS)}", field="--format")
    if output is None and fmt in ("docx", "pdf"):
        raise UsageError(f"{fmt} is binary: give an output file with -o", field="--output")
    if output is not None:
        check_output(output)  # a folder or a missing folder fails before the work


def _progress(what: str, *, slow: bool = True):
    """A spinner on standard error for steps that take more than a moment (only on a terminal)."""
    import contextlib

    if not slow or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(what + "…")


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Address to listen on (default: a random loopback address in 127.0.0.0/8, so no other "
            "local server shares the browser's cookie).",
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0 picks a free one).")] = 8765,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Another host name the browser may use (Host-header check)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Start the local web app and print its address with this launch's token."""
    import errno

    import uvicorn

    from plealever.errors import UsageError
    from plealever.web.app import create_app
    from plealever.web.security import Settings, is_loopback, random_loopback

    if host is not None and not is_loopback(host):
        typer.echo(
            f"warning: listening on {host} exposes privileged files beyond this machine; anyone who "
            "can reach it still needs the token below; name the address browsers will use with --allow-host.",
            err=True,
        )
    store = _store(db)
    chosen = host or random_loopback()
    sock, error = _listen(chosen, port)
    if sock is None and host is None and error.errno == errno.EADDRNOTAVAIL:
        # Only Linux routes all of 127.0.0.0/8 to the loopback interface; elsewhere fall back.
        typer.echo(
            f"warning: cannot listen on {chosen}; using 127.0.0.1, where other local servers the browser "
            "visits also receive its session cookie",
            err=True,
        )
        chosen = "127.0.0.1"
        sock, error = _listen(chosen, port)
    if sock is None:
        raise UsageError(f"cannot listen on {chosen}:{port}: {error.strerror or error}")
    settings = Settings(host=chosen, port=sock.getsockname()[1], extra_hosts=tuple(allow_host or ()))
    typer.echo(f"plealever is running at {settings.url}", err=False)
    typer.echo("Press Ctrl+C to stop.", err=True)
    config = uvicorn.Config(create_app(store, settings), log_level="warning", proxy_headers=False)
    uvicorn.Server(config).run(sockets=[sock])


def _listen(host: str, port: int):
    """A listening socket (accepting from the moment the address is printed), or None and the OSError."""
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        return None, exc
    sock.listen(128)
    return sock, None


@app.command()
def schema() -> None:
    """Print the JSON Schema of the case file."""
    from plealever.case import Case

    typer.echo(json.dumps(Case.model_json_schema(), indent=2, ensure_ascii=False))


@rules_app.command("show")
def rules_show(
    section: Annotated[str, typer.Argument(help="A guideline section or pin, e.g. 2G2.2 or 2G2.2(b)(7).")],
    edition: Annotated[
        str | None,
        typer.Option("--edition", help="Show only the version in force on this date (YYYY-MM-DD)."),
    ] = None,
    width: WidthOpt = None,
) -> None:
    """Show what the law data holds for a section: each provision, its versions, levels and authorities."""
    from plealever.errors import UsageError
    from plealever.guidelines.context import normalize_pin
    from plealever.law.editions import edition_in_force
    from plealever.law.rulebook import rulebook
    from plealever.report.terminal import console, wrapped

    columns = console(width).width

    def say(text: str, indent: int = 0) -> None:
        typer.echo(wrapped(text, columns, indent=indent))

    book = rulebook()
    pin = normalize_pin(section)
    day = None
    if edition is not None:
        try:
            parsed = dt.date.fromisoformat(edition)
        except ValueError:
            raise UsageError(f"expected a date YYYY-MM-DD, got {edition!r}", field="--edition") from None
        day = edition_in_force(book, parsed, field="--edition")
    matches = [
        p for p in book.provisions.values() if p.pin == pin or p.pin.startswith(pin + "(") or p.section == pin
    ]
    if not matches:  # a clause pin (2G2.1(b)(6)(A)) names the provision whose clauses share one level
        matches = [p for p in book.provisions.values() if any(p.pin + c == pin for c in p.clauses or ())]
    if not matches:
        raise UsageError(
            f"no section or provision {section!r} in the law data; sections: " + ", ".join(sorted(book.sections)),
            field="SECTION",
        )
    if day:
        say(f"Versions in force in the Manual effective {day}:")
    for p in matches:
        versions = [p.at(day)] if day else p.versions
        versions = [v for v in versions if v is not None]
        if day and not versions:
            typer.echo()
            say(f"§{p.pin}: not in this edition")
            continue
        typer.echo()
        say(f"§{p.pin}: {p.label}")
        if p.clauses:
            say("clauses (one finding each, same levels): " + ", ".join(p.pin + c for c in p.clauses), 2)
        for v in versions:
            parts = [f"from {v.effective}"]
            if v.deleted:
                parts.append("deleted")
            for name in ("levels", "minimum", "max_levels", "threshold", "floor"):
                if getattr(v, name) is not None:
                    parts.append(f"{name} {getattr(v, name)}")
            if v.statutes:
                parts.append("statutes " + ", ".join(v.statutes))
            if v.when:
                parts.append("when " + ", ".join(f"{k}={val}" for k, val in v.when.items()))
            for k, names in (v.conditions or {}).items():
                parts.append(f"only if {k.replace('_', ' ')}: " + ", ".join(names))
            if v.knowledge:
                parts.append(f"knowing distribution: {v.knowledge}")
            if v.table:
                parts.append(
                    "table "
                    + ", ".join(
                        f"{r.get('limb', '')}{'≥' + str(r['at_least']) if 'at_least' in r else ''}"
                        f"{'≥' + str(r['max_at_least']) if 'max_at_least' in r else ''}"
                        f"→{r.get('levels', r.get('level'))}"
                        for r in v.table
                    )
                )
            # With --edition, how sure the data is of the version in that edition (read for it or not).
            parts.append(book.certainty_in(v, day) if day else v.certainty)
            say("; ".join(parts), 2)
            say(book.cite(v.authorities), 4)
            if v.note:
                say("note: " + v.note, 4)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
