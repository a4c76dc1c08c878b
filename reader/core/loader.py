"""The feed loader: a folder of Markdown files with YAML front matter, one article each.

Nothing here raises because of one file's content: every file gives an article or an
error, and every oddity a warning, each naming the file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

# Imported here, where the app imports it on its main thread, although only yaml_fast uses
# it: yaml_rs 0.1.6 imported for the first time on a worker thread (the app's load worker)
# while the main thread runs can crash the interpreter (a segmentation fault in the tests).
import yaml_rs  # noqa: F401

from reader.core.fields import FieldReader, FileSkipped, _describe
from reader.core.model import Article, FeedLoad, Problem, Severity

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 5 * 1024 * 1024

# The lines around the front matter: three or more dashes, trailing blanks allowed (the
# boundaries python-frontmatter accepts). Matched line by line, so that an error's line
# number in the YAML maps exactly to a line of the file.
_OPENING = re.compile(r"-{3,}[ \t]*(?:\n|\Z)")
# The closing line, as `^-{3,}[ \t]*$` (MULTILINE) would find it, but led by its "\n":
# a search for a literal is eight times faster than one where `^` is tried everywhere.
_CLOSING = re.compile(r"\n(-{3,}[ \t]*)$", re.MULTILINE)


def discover_files(root: Path) -> Iterator[Path]:
    """Every article file under `root` (or `root` itself if it is a file), sorted per folder.

    Symlinks are followed, to files and folders alike, wherever they point (inside the feed
    or not): a feed is the user's own folder. A folder already seen (by device and inode)
    is not entered again, so a symlink loop ends. A folder that cannot be listed (no
    permission, a path too long for the system) is yielded itself, so that reading it
    reports why; nothing under it is lost silently.
    """
    return map(Path, discover_paths(root))


# Told of each folder `discover_paths` stats, before the files listed in it: its path, its
# stat (None: it could not be listed) and whether it was listed (False: already seen, or
# not listable), and whether any entry listed is a symbolic link.
OnFolder = Callable[[str, "os.stat_result | None", bool, bool], None]


def discover_paths(root: Path, on_folder: OnFolder | None = None) -> Iterator[str]:
    """`discover_files` as plain strings: 100,000 `Path` objects cost time and memory.

    `on_folder` (see OnFolder) lets the index cache record the walk, to tell next time
    that no folder changed without listing them again.
    """
    if not root.is_dir():
        yield str(root)
        return
    seen: set[tuple[int, int]] = set()
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                if on_folder is not None:
                    on_folder(folder, info, False, False)
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            if on_folder is not None:
                on_folder(folder, None, False, False)
            if not isinstance(error, FileNotFoundError):  # deleted meanwhile: nothing to say
                yield folder  # `read_text` says why it cannot be read
            continue
        if on_folder is not None:
            on_folder(folder, info, True, any(_is_link(entry) for entry in entries))
        files, subfolders = _sorted_out(folder, entries)
        yield from files
        stack.extend(reversed(subfolders))


def _sorted_out(folder: str, entries: list[os.DirEntry[str]]) -> tuple[list[str], list[str]]:
    """The article files and the subfolders among a folder's entries (hidden ones left out)."""
    # In the folder ".", `entry.path` is "./name" where `Path` (the cache's prefix, the
    # loader without the cache) says "name": take the name, so both paths agree.
    bare = folder == "."
    files: list[str] = []
    subfolders: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if _is_dir(entry):
            subfolders.append(entry.name if bare else entry.path)
        elif entry.name.lower().endswith(ARTICLE_SUFFIXES):
            files.append(entry.name if bare else entry.path)
    return files, subfolders


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # unknown: counted as a link, whose target may change unseen


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def article_id(url: str | None, relative_path: str) -> str:
    """A stable id: from the URL when there is one, else from the path within the feed."""
    key = f"url:{url}" if url else f"path:{relative_path}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


# Told the file's stat, taken before it is opened (see `read_bytes`).
OnStat = Callable[[os.stat_result], None]


# A file's path: a `Path`, or the string the walk found (100,000 `Path` objects cost a
# parse worker ~4% of its time, for the few steps that need one: the errors' reasons).
FilePath = str | Path


def read_text(path: FilePath, problems: list[Problem], on_stat: OnStat | None = None) -> str:
    """The file's text: UTF-8 (a BOM is fine), else decoded with replacements and a warning."""
    data = read_bytes(path, on_stat=on_stat)
    if b"\x00" in data:
        raise FileSkipped("file is binary (it contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        problems.append(
            Problem(
                str(path),
                Severity.WARNING,
                f"not valid UTF-8 (byte {error.start}); undecodable bytes replaced with �",
            )
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Not blocking: a named pipe opened for reading would wait for a writer forever.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: FilePath, limit: int = MAX_FILE_BYTES, on_stat: OnStat | None = None) -> bytes:
    """At most `limit` bytes of a regular file; raises FileSkipped for anything else.

    The kind is checked before the file is opened (opening a device can have effects of
    its own) and again on the open descriptor (the path may have been replaced meanwhile).
    The read stops at the limit, so a file that grows while it is read cannot hold it up.
    `on_stat` is told that first stat (not called when there is none): the index cache
    takes a new file's stamp from it, before the content is read.
    """
    try:
        info = os.stat(path)
        if on_stat is not None:
            on_stat(info)
        _require_regular(path, info)
        if info.st_size > limit:
            raise FileSkipped(f"file is too large ({info.st_size:,} bytes; the limit is {limit:,})")
        fd = os.open(path, _OPEN_FLAGS)
        try:
            opened = os.fstat(fd)
            _require_regular(path, opened)
            data = _read_at_most(fd, limit + 1, opened.st_size)
        finally:
            os.close(fd)
    except FileNotFoundError:
        if Path(path).is_symlink():
            raise FileSkipped(
                "the file is a symbolic link to nothing (its target is missing)"
            ) from None
        raise FileSkipped("file vanished while the feed was being read") from None
    except OSError as error:
        raise FileSkipped(_unreadable(path, error)) from None
    if len(data) > limit:
        raise FileSkipped(f"file is too large (over {limit:,} bytes)")
    return data


def _read_at_most(fd: int, count: int, size: int) -> bytes:
    """Up to `count` bytes of the open file, to its end; `size` is what it is expected to hold.

    The first request is for `size` bytes and one more (so that the end is seen), not for
    `count`: asking for 5 MB makes Python allocate 5 MB and shrink it, which cost four
    times the read of a 5 kB article. A file that grew meanwhile is read on, up to `count`.
    A read that gives less than it asked for has met the end of the (regular) file: no
    further read is made to be told so, a system call less for every file.
    """
    parts = []
    request = min(size + 1, count)
    while count > 0:
        part = os.read(fd, request)
        parts.append(part)
        count -= len(part)
        if len(part) < request:
            break
        request = min(count, 1 << 16)
    return b"".join(parts)


def _require_regular(path: FilePath, info: os.stat_result) -> None:
    """Raise FileSkipped unless `info` is a regular file."""
    if stat.S_ISDIR(info.st_mode):
        # The walk yields a folder it could not list: listing it again gives the reason.
        os.scandir(path).close()
        raise FileSkipped("cannot read a folder as an article (it could not be listed before)")
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise FileSkipped(f"not a regular file but {kind}; not read")


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _unreadable(path: FilePath, error: OSError) -> str:
    """Why `path` cannot be read, for a problem line."""
    reason = error.strerror or str(error)
    if error.errno == errno.ENAMETOOLONG:
        return f"the path is too long for the system to open ({len(os.fsencode(path)):,} bytes)"
    if error.errno == errno.ELOOP:
        return "the file is a loop of symbolic links"
    if error.errno in (errno.EACCES, errno.EPERM):
        kind = "folder" if Path(path).is_dir() else "file"
        return f"cannot read the {kind} (no permission: {reason})"
    return f"cannot read the file ({reason})"


def load_front_matter(text: str) -> object:
    """`yaml_fast.load_front_matter`, imported when a first file is parsed: a warm start
    from the index cache parses none, and need not import PyYAML (~15 ms)."""
    from reader.core.yaml_fast import load_front_matter as load

    return load(text)


def _parse_front_matter(raw: str) -> object:
    """The front matter's YAML, read; raises FileSkipped, saying why, when it cannot be."""
    import yaml  # see load_front_matter

    try:
        return load_front_matter(raw)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else None  # +1 for 1-based, +1 for the opening '---'
        raise FileSkipped(
            f"front matter is not valid YAML: {error.problem or error}", line
        ) from None
    except yaml.YAMLError as error:
        raise FileSkipped(f"front matter is not valid YAML: {error}") from None
    except RecursionError:
        raise FileSkipped("front matter is nested too deeply to read") from None
    except (ValueError, OverflowError) as error:
        # Well-formed YAML whose value Python cannot hold: a 5,000-digit number.
        reason = (
            "a number too long to read"
            if "digits" in str(error)
            else f"a value that cannot be read ({error})"
        )
        raise FileSkipped(f"front matter has {reason}") from None
    except Exception as error:  # noqa: BLE001 - PyYAML's constructors fail oddly on odd tags (`!!int` alone)
        raise FileSkipped(
            f"front matter has a value that cannot be read ({type(error).__name__}: {error})"
        ) from None


def split_front_matter(text: str) -> tuple[dict[object, object], str]:
    """The front matter mapping and the Markdown body; raises FileSkipped when unusable."""
    opening = _OPENING.match(text)
    if opening is None:
        raise FileSkipped("no front matter (the file must start with a '---' line)")
    # From the opening's own newline: a closing line right after it counts.
    closing = _CLOSING.search(text, opening.end() - 1)
    if closing is None:
        raise FileSkipped("front matter is not closed by a second '---' line")
    raw, body = text[opening.end() : closing.start(1)], text[closing.end(1) :]
    data = _parse_front_matter(raw)
    if data is None:
        raise FileSkipped("front matter is empty")
    if not isinstance(data, dict):
        raise FileSkipped(f"front matter is {_describe(data)}, not a mapping of fields")
    return data, body


def parse_file(
    path: FilePath, root: Path, on_stat: OnStat | None = None
) -> tuple[Article | None, list[Problem]]:
    """One file's article (or None) and its problems. Never raises for the file's content.

    `path` as a string: the name the article and its problems are given as it is (a
    `Path`'s is its normal form). `on_stat`: see `read_bytes`.
    """
    problems: list[Problem] = []
    name = str(path)
    try:
        text = read_text(path, problems, on_stat)
        data, body = split_front_matter(text)
        article = FieldReader(name, data, problems).article(
            # The relative path only when there is no URL to take the id from.
            body=body,
            id_for=lambda url: article_id(url, "" if url else _relative(Path(path), root)),
        )
    except FileSkipped as skipped:
        problems.append(Problem(name, Severity.ERROR, skipped.reason, skipped.line))
        return None, problems
    except (RecursionError, MemoryError):
        problems.append(
            Problem(name, Severity.ERROR, "front matter is too deeply nested or too large")
        )
        return None, problems
    return article, problems


def _relative(path: Path, root: Path) -> str:
    if root.is_dir():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


def merge_duplicates(articles: list[Article], problems: list[Problem]) -> list[Article]:
    """One article per URL: the copy published later wins (the later path if equal)."""
    kept: dict[str, Article] = {}
    result: list[Article] = []
    for article in articles:
        if not article.url:
            result.append(article)
            continue
        other = kept.get(article.url)
        if other is None:
            kept[article.url] = article
            continue
        winner, loser = (article, other) if _later(article, other) else (other, article)
        kept[article.url] = winner
        problems.append(
            Problem(
                loser.path,
                Severity.WARNING,
                f"same URL as {winner.path}; that copy is newer and is kept",
            )
        )
    return result + list(kept.values())


def _later(a: Article, b: Article) -> bool:
    a_time = a.published.timestamp() if a.published else float("-inf")
    b_time = b.published.timestamp() if b.published else float("-inf")
    return (a_time, a.path) > (b_time, b.path)


def missing_feed(source: Path, folder: bool | None = None) -> Problem | None:
    """The error to report when the feed itself is gone, else None.

    `folder` is what the feed was when it was opened (a folder or a file); a feed
    replaced by the other kind is gone too, since its files' paths no longer hold.
    When it is not known, a name with an article suffix is taken for a file.
    """
    if folder is None:
        folder = not source.name.lower().endswith(ARTICLE_SUFFIXES)
    exists = source.exists()
    if exists and source.is_dir() == folder:
        return None
    reason = f"the feed {'folder' if folder else 'file'} no longer exists"
    if exists:
        reason += f" (a {'file' if folder else 'folder'} is in its place)"
    return Problem(str(source), Severity.ERROR, reason)


def load_feed(source: Path, *, folder: bool | None = None) -> FeedLoad:
    """Load every article under `source` (a folder, searched recursively, or one file).

    `folder` says what the feed was when first loaded, for a reload: see `missing_feed`.
    """
    if folder is not None or not source.exists():
        gone = missing_feed(source, folder)
        if gone is not None:
            return FeedLoad(problems=[gone], feed_missing=True)
    result = FeedLoad()
    articles: list[Article] = []
    for path in discover_files(source):
        article, problems = parse_file(path, source)
        result.problems.extend(problems)
        result.files += 1
        if article is None:
            result.skipped += 1
        else:
            articles.append(article)
    result.articles = merge_duplicates(articles, result.problems)
    return result
