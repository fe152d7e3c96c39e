"""Rendering, the last step: a computed context dataclass into .docx (docxtpl) or HTML (Jinja2).

Nothing is computed here. HTML autoescapes every value (post text is untrusted) and embeds
the charts as data URIs so the page is self-contained and printable; Word templates are
rendered with docxtpl's XML escaping on, charts become inline images. A user's own Word
template is checked first: a placeholder that is not a documented context key is refused
with its name, so a typo never silently prints nothing.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta, select_autoescape

from registry.errors import InvalidValue

TEMPLATES = Path(__file__).parent / "templates"
CHART_WIDTH = Mm(150)


def context_keys(context: Any) -> set[str]:
    """The documented placeholders of a context dataclass (its field names)."""
    return {f.name for f in dataclasses.fields(context)}


def as_mapping(context: Any) -> dict[str, Any]:
    """The context's top-level fields as a dict (rows stay dataclasses: templates read their
    attributes, and nothing is deep-copied)."""
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


def html_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html_template_variables(name: str) -> set[str]:
    """Top-level names a shipped HTML template reads (for the documented-keys test)."""
    env = html_environment()
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    return set(meta.find_undeclared_variables(env.parse(source)))


def render_html(name: str, context: Any, images: tuple[str, ...], path: Path) -> Path:
    """Render HTML template ``name`` with the context; image fields become data URIs."""
    values = as_mapping(context)
    for key in images:
        values[key] = _data_uri(values.get(key))
    text = html_environment().get_template(name).render(**values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _data_uri(value: str | None) -> str:
    if not value:
        return ""
    data = base64.b64encode(Path(value).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


def docx_template_variables(template: Path) -> set[str]:
    """The placeholders a Word template uses (docxtpl's undeclared variables)."""
    try:
        tpl = DocxTemplate(str(template))
        return set(tpl.get_undeclared_template_variables())
    except Exception as exc:
        raise InvalidValue(
            "--template", str(template), f"不是可用的 Word 模板：{_template_problem(exc)}"
        ) from exc


def check_template(template: Path, context: Any) -> None:
    """Refuse a template that is missing or uses placeholders the context does not document."""
    if not template.is_file():
        raise InvalidValue("--template", str(template), "文件不存在")
    if template.suffix.lower() != ".docx":
        raise InvalidValue("--template", str(template), "应为 .docx 文件")
    unknown = sorted(docx_template_variables(template) - context_keys(context))
    if unknown:
        raise InvalidValue(
            "--template", str(template), "含有未定义的占位符：" + "、".join(unknown) + "（可用占位符见文档）"
        )


def render_docx(template: Path, context: Any, images: tuple[str, ...], path: Path) -> Path:
    """Render a Word template with the context; image fields become inline pictures."""
    check_template(template, context)
    tpl = DocxTemplate(str(template))
    values = as_mapping(context)
    for key in images:
        picture = values.get(key)
        values[key] = InlineImage(tpl, picture, width=CHART_WIDTH) if picture else ""
    try:
        tpl.render(values, autoescape=True)
    except Exception as exc:
        raise InvalidValue("--template", str(template), f"模板无法渲染：{_template_problem(exc)}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    tpl.save(str(path))
    return path


def _template_problem(exc: BaseException) -> str:
    """Why a Word template cannot be used, in Chinese (never the library's English)."""
    import zipfile

    from jinja2 import TemplateError

    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) or "Package not found" in text or "no relationship" in text:
        return "不是 Word 文档（.docx），或文件已损坏；请在 Word 中另存为 .docx"
    if isinstance(exc, TemplateError):
        line = getattr(exc, "lineno", None)
        return (
            "占位符的写法有误"
            + (f"（模板第 {line} 行附近）" if line else "")
            + "，请对照 README 中的占位符检查 {{ }} 与 {% %}"
        )
    return "无法读取该模板，请确认它是用 Word 保存的 .docx 文件"
