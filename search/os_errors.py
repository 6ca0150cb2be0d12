"""The operating system's reason for a failed file or socket call, in Russian.

`OSError.strerror` is the C library's English («No space left on device»); the messages
that carry it (a reindex's `error:` line, a skipped file, a 503 of a PUT) are Russian.
A reason not listed here stays as the system words it.
"""

from __future__ import annotations

import errno

__all__ = ["os_reason", "os_problem"]

_REASONS = {
    errno.ENOENT: "нет такого файла или каталога",
    errno.EACCES: "нет прав доступа",
    errno.EPERM: "операция не разрешена",
    errno.ENOSPC: "на диске нет места",
    errno.EDQUOT: "исчерпана дисковая квота",
    errno.EFBIG: "файл слишком большой (превышен предел размера файла)",
    errno.EROFS: "файловая система только для чтения",
    errno.EISDIR: "это каталог",
    errno.ENOTDIR: "это не каталог",
    errno.EIO: "ошибка ввода-вывода",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
    errno.EMFILE: "открыто слишком много файлов",
    errno.ENOMEM: "не хватает памяти",
    errno.EBUSY: "устройство или ресурс занят",
    errno.ELOOP: "слишком много символических ссылок",
    errno.EADDRINUSE: "адрес уже занят",
    errno.EADDRNOTAVAIL: "такого адреса у этой машины нет",
    errno.ECONNREFUSED: "в соединении отказано",
    errno.ETIMEDOUT: "время ожидания истекло",
}


def os_reason(exc: BaseException | int) -> str:
    """Why an OSError (or an errno) failed, in Russian where the reason is a usual one.

    >>> os_reason(FileNotFoundError(2, "No such file or directory"))
    'нет такого файла или каталога'
    >>> os_reason(OSError(5000, "Strange failure"))
    'Strange failure'
    """
    if isinstance(exc, int):
        import os

        return _REASONS.get(exc) or os.strerror(exc)
    code = getattr(exc, "errno", None)
    if code in _REASONS:
        return _REASONS[code]
    return getattr(exc, "strerror", None) or str(exc)


def os_problem(exc: OSError) -> str:
    """os_reason and, when the error names one, the file it failed on.

    >>> os_problem(FileNotFoundError(2, "No such file or directory", "/srv/x"))
    'нет такого файла или каталога: /srv/x'
    """
    reason = os_reason(exc)
    return f"{reason}: {exc.filename}" if getattr(exc, "filename", None) else reason
