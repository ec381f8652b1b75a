/* readiness — the fds a poll, select or epoll_wait reported ready, as
 * values (fd, events, the lesson's name for the fd), and the one text
 * every frontend and trace shows them by:
 *
 *   "ls POLLIN, conn POLLIN|POLLRDHUP, fd 7 POLLOUT"
 *
 * an entry a fd in the order the call reported them, each its name (or
 * "fd N" when the lesson has none) and its events as the catalog names
 * them (catalog_readiness). A trace holds the text; its reader turns it
 * back into entries with readiness_parse.
 */
#ifndef SOCKLAB_READINESS_H
#define SOCKLAB_READINESS_H

#include <stddef.h>
#include <stdint.h>

#include "lesson.h"

/* One fd a readiness call reported. */
struct ready_fd {
	int fd;                           /* as the call reported it; -1 when read from a trace's
	                                     text, which gives a named fd by its name only */
	uint32_t events;                  /* POLLIN, POLLOUT, ... (EPOLLIN and the rest share
	                                     the values); bits the catalog does not name are
	                                     kept but not shown */
	char name[NAME_MAX_LEN];          /* the lesson's name for the fd when the call
	                                     returned, or "" */
};

/* Writes the text of `count` entries into out (size bytes, cut as
 * snprintf cuts; out may be NULL when size is 0). Returns the length of
 * the whole text, as snprintf does: a caller that must not cut it
 * allocates that plus one. "" for no entry. */
size_t readiness_text(const struct ready_fd *ready, size_t count, char *out, size_t size);

/* The same text, malloc'd; NULL when out of memory. */
char *readiness_text_new(const struct ready_fd *ready, size_t count);

/* The events of `events` that the text names (catalog_readiness). */
uint32_t readiness_named(uint32_t events);

/* The entries readiness_text writes as `text`: 0 with *ready (malloc'd,
 * NULL for "") and *count, their fd -1 where the text gives a name; -1
 * when no entries are written so (a name longer than NAME_MAX_LEN - 1,
 * an unknown or repeated event, events out of the catalog's order) or
 * when out of memory. */
int readiness_parse(const char *text, struct ready_fd **ready, size_t *count);

#endif
