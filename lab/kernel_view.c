/* kernel_view — the probe's view of the lab's sockets, tied to sides
 * (kernel_view.h). */
#include "kernel_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sides.h"
#include "wire.h"

static unsigned probe_mask(struct session *session)
{
	unsigned what = PROBE_SKIP_LISTEN;
	for (int s = 0; s < session->side_count; s++) {
		const struct side *side = &session->sides[s];
		/* a traced program's sockets: any kind */
		if (side->observed && side->processes.fd_count > 0)
			what = (what | PROBE_TCP4 | PROBE_TCP6 | PROBE_UDP4 | PROBE_UDP6
				| PROBE_UNIX | PROBE_BOUND_INACTIVE)
				& ~(unsigned)PROBE_SKIP_LISTEN;
		for (int k = 0; k < side->kind_count; k++) {
			const struct fd_kind *kind = &side->kinds[k];
			bool stream = kind->type == SOCK_STREAM;
			/* a traced program's socket: kind unknown */
			if (kind->family == AF_UNSPEC)
				what |= PROBE_TCP4 | PROBE_TCP6 | PROBE_UDP4 | PROBE_UDP6
					| PROBE_UNIX;
			if (kind->listening || kind->family == AF_UNSPEC)
				what &= ~(unsigned)PROBE_SKIP_LISTEN;
			if (kind->family == AF_INET)
				what |= stream ? PROBE_TCP4 : PROBE_UDP4;
			else if (kind->family == AF_INET6)
				what |= stream ? PROBE_TCP6 : PROBE_UDP6;
			else if (kind->family == AF_UNIX)
				what |= PROBE_UNIX;
			if (kind->bound_only)
				what |= PROBE_BOUND_INACTIVE;
		}
	}
	/* Closed TCP sockets linger (TIME-WAIT): keep asking once asked. */
	return what | tie_remembered_kinds(session->tie);
}

/* Every fd of every side, as the tie module reads them. */
static int collect_fds(struct session *session, char **err)
{
	size_t total = 0;
	for (int s = 0; s < session->side_count; s++)
		total += (size_t)session->sides[s].fd_count + session->sides[s].processes.fd_count;
	if (total > session->tie_fd_capacity) {
		struct tie_fd *fds = realloc(session->tie_fds, total * sizeof *fds);
		if (!fds)
			return text_error(err, "out of memory");
		session->tie_fds = fds;
		session->tie_fd_capacity = total;
	}
	session->tie_fd_count = 0;
	for (int s = 0; s < session->side_count; s++) {
		struct side *side = &session->sides[s];
		for (size_t i = 0; side->observed && i < side->processes.fd_count; i++) {
			const struct fdtable_fd *held = &side->processes.fds[i];
			session->tie_fds[session->tie_fd_count++] = (struct tie_fd){
				.side = s,
				.process = held->process,
				.fd = held->fd,
				.inode = held->inode,
				.name = fdtable_row_name(&side->processes, held->process),
				.family = held->family,
				.type = held->type,
			};
		}
		for (int i = 0; i < side->fd_count; i++) {
			/* Kinds are added with their fds, so mostly at the same index:
			 * with a hundred fds a search each would cost ~3 us a step. */
			int fd = side->fds[i].fd;
			const struct fd_kind *kind = i < side->kind_count && side->kinds[i].fd == fd
							     ? &side->kinds[i]
							     : side_find_kind(side, fd);
			session->tie_fds[session->tie_fd_count++] = (struct tie_fd){
				.side = s,
				.fd = side->fds[i].fd,
				.inode = side->fds[i].inode,
				.name = side_name_of_fd(side, side->fds[i].fd),
				.family = kind ? kind->family : AF_UNSPEC,
				.type = kind ? kind->type : 0,
			};
		}
	}
	return 0;
}

/* The inodes of the fds that calls since the last snapshot used or made:
 * where the kernel may list something new. */
static int collect_touched(struct session *session, size_t *count, char **err)
{
	if (session->events_probed > session->event_count)
		session->events_probed = 0;
	size_t needed = 2 * (session->event_count - session->events_probed);
	if (needed > session->touched_capacity) {
		uint32_t *grown = realloc(session->touched, needed * sizeof *grown);
		if (!grown)
			return text_error(err, "out of memory");
		session->touched = grown;
		session->touched_capacity = needed;
	}
	*count = 0;
	for (size_t e = session->events_probed; e < session->event_count; e++) {
		const struct lab_event *event = &session->events[e];
		long made =
			event->call == CALL_SOCKET || event->call == CALL_ACCEPT ? event->ret : -1;
		for (size_t i = 0; i < session->tie_fd_count; i++) {
			const struct tie_fd *fd = &session->tie_fds[i];
			if (fd->side == event->side
			    && (fd->fd == event->fd_argument || fd->fd == made) && *count < needed)
				session->touched[(*count)++] = fd->inode;
		}
	}
	session->events_probed = session->event_count;
	return 0;
}

/* Whether snapshots ask for the lab's sockets one by one (exact.h): on
 * the host path, and where traced programs are the sides. A private
 * namespace's sockets are the lab's alone, but its TCP tables are the
 * host's hash (net.ipv4.tcp_child_ehash_entries is 0 by default): a dump
 * walks every bucket of it, 262,144 here, about 0.4 ms a family. A
 * lesson's few steps can afford that; a program's every read and write
 * is a step. */
static bool reads_exactly(const struct session *session)
{
	if (session->sandbox->kind == SANDBOX_HOST)
		return true;
	for (int s = 0; s < session->side_count; s++)
		if (session->sides[s].observed)
			return true;
	return false;
}

/* The kernel's view of the lab's sockets: a dump, or exact requests
 * (reads_exactly). */
static int read_kernel(struct session *session, unsigned what, char **err)
{
	if (!reads_exactly(session))
		return probe_snapshot(session->probe, what, &session->raw, err);
	size_t touched_count = 0;
	if (collect_touched(session, &touched_count, err) < 0)
		return -1;
	struct exact_input input = {
		.what = what,
		.fds = session->tie_fds,
		.fd_count = session->tie_fd_count,
		.touched = session->touched,
		.touched_count = touched_count,
		.now_us = timed_now_us(),
	};
	bool dumped;
	size_t missed;
	if (exact_snapshot(session->exact, session->probe, &input, &session->raw, &dumped, &missed,
			   err) < 0)
		return -1;
	if (missed)
		snprintf(session->probe_note, sizeof session->probe_note,
			 "the once-a-second dump found %zu socket%s of the lab that the exact "
			 "requests missed",
			 missed, missed == 1 ? "" : "s");
	return 0;
}

int view_take_snapshot(struct session *session, char **err)
{
	unsigned what = probe_mask(session);
	if (collect_fds(session, err) < 0)
		return -1;
	probe_snapshot_clear(&session->raw);
	if (what && read_kernel(session, what, err) < 0)
		return -1;
	struct tie_input input = {
		.raw = &session->raw,
		.fds = session->tie_fds,
		.fd_count = session->tie_fd_count,
		.baseline = &session->baseline,
		.host = session->sandbox->kind == SANDBOX_HOST,
	};
	struct lab_snapshot next;
	if (tie_snapshot(session->tie, &input, &next, err) < 0)
		return -1;
	timed_note(&session->timed, &next, session->steps_done + 1, timed_now_us());
	lab_snapshot_done(&session->snapshot);
	session->snapshot = next;
	return wire_mark_resets(session, err);
}

int view_set_baseline(struct session *session, char **err)
{
	lab_snapshot_done(&session->baseline);
	if (lab_snapshot_copy(&session->baseline, &session->snapshot) < 0)
		return text_error(err, "out of memory");
	return 0;
}

int view_copy_snapshot_to(struct session *session, size_t first, size_t end, char **err)
{
	for (size_t i = first; i < end; i++) {
		lab_snapshot_done(&session->events[i].snapshot);
		if (lab_snapshot_copy(&session->events[i].snapshot, &session->snapshot) < 0)
			return text_error(err, "out of memory");
	}
	if (end > first && session->probe_note[0]) {
		text_copy(session->events[end - 1].probe_note,
			  sizeof session->events[end - 1].probe_note, session->probe_note);
		session->probe_note[0] = '\0';
	}
	return 0;
}
