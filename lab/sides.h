/* sides — what the lab knows of each side's process: the names its steps
 * gave, the socket fds it holds (with their inodes) and what kind of
 * socket each one is, and the fd numbers its calls may name. Only
 * socket() and accept() add an fd and only close() removes one.
 */
#ifndef SOCKLAB_SIDES_H
#define SOCKLAB_SIDES_H

#include <stdbool.h>
#include <stdint.h>

#include "session_parts.h"

/* The latest binding of `name`, or NULL. */
struct name_binding *side_find_name(struct side *side, const char *name);
/* Names `fd`; an old name of the same number is no longer its. */
void side_bind_name(struct side *side, const char *name, int fd);
/* The open fd's name, or "". */
const char *side_name_of_fd(const struct side *side, int fd);

/* What socket() or accept() made `fd`, or NULL. */
struct fd_kind *side_find_kind(struct side *side, int fd);
void side_set_kind(struct side *side, int fd, int family, int type);
void side_drop_kind(struct side *side, int fd);

/* The fd's socket inode, as fstat() gave it; out of memory: not kept. */
void side_keep_fd(struct side *side, int fd, uint32_t inode);
void side_release_fd(struct side *side, int fd);

/* A call of this side returned `fd`: its calls may name it. */
void side_mark_produced(struct side *side, long fd);
/* A puppet's call may name only fds this side's calls returned: its
 * process also holds 0-2 (/dev/null) and the lab's channel, which no
 * lesson may touch. The refusal reads like the kernel's EBADF. */
void side_refuse_foreign_fds(const struct side *side, const struct puppet_request *request,
			     struct refusal *refusal);

#endif
