/* python — the Python line for a call as it was typed.
 *
 * A lesson writes its own Python line for each step; a call typed in free
 * play has none, and the catalog's line shows only the call's shape
 * (`data = s.recv(1024)`). This writes the Python that makes the same
 * system call with the same arguments: `recv(conn, 5)` is
 * `data = conn.recv(5)`, `listen(ls, 17)` is `ls.listen(17)`.
 */
#ifndef SOCKLAB_PYTHON_H
#define SOCKLAB_PYTHON_H

#include <stddef.h>

#include "lesson.h"

/* Writes the Python line for `call` into out (always NUL-terminated, cut
 * to fit) and returns out. */
char *python_line(const struct typed_call *call, char *out, size_t size);

#endif
