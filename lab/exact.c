/* exact — the host path's probe: exact requests, dumps where due (see exact.h).
 *
 * A step's budget is tens of microseconds and a lab may hold hundreds of
 * sockets: every "is this inode one of ..." is a binary search in a sorted
 * set, and keys are made unique by sorting, not by comparing each pair. */
#include "exact.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "text.h"

/* Inodes, sorted, for binary search. */
struct inode_set {
	uint32_t *inodes;
	size_t count, capacity;
};

struct exact {
	struct probe_snapshot known;    /* the lab's sockets of the last snapshot */
	bool has_known;                 /* false until a dump has run: the first snapshot dumps */
	int64_t last_dump_us;
	struct probe_key *keys;         /* scratch */
	size_t key_capacity;
	struct probe_snapshot scratch;
	struct inode_set fds_now;       /* the inodes the fds hold */
	struct inode_set fds_before;    /* ... held at the last snapshot */
	struct inode_set listed;        /* scratch: the inodes a snapshot lists */
	struct inode_set peers;         /* scratch: the peers of the lab's Unix sockets */
};

struct exact *exact_new(void)
{
	return calloc(1, sizeof(struct exact));
}

static void inode_set_done(struct inode_set *set)
{
	free(set->inodes);
	*set = (struct inode_set){ 0 };
}

void exact_free(struct exact *exact)
{
	if (!exact)
		return;
	probe_snapshot_done(&exact->known);
	probe_snapshot_done(&exact->scratch);
	free(exact->keys);
	inode_set_done(&exact->fds_now);
	inode_set_done(&exact->fds_before);
	inode_set_done(&exact->listed);
	inode_set_done(&exact->peers);
	free(exact);
}

void exact_forget(struct exact *exact)
{
	if (!exact)
		return;
	probe_snapshot_clear(&exact->known);
	exact->has_known = false;
	exact->fds_before.count = 0;
}

/* ---- sets ---------------------------------------------------------------- */

static int compare_inodes(const void *a_, const void *b_)
{
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	return (a > b) - (a < b);
}

/* Room for `count` more inodes. */
static int inode_set_reserve(struct inode_set *set, size_t count)
{
	if (set->count + count <= set->capacity)
		return 0;
	size_t capacity = set->capacity ? set->capacity : 16;
	while (capacity < set->count + count)
		capacity *= 2;
	uint32_t *grown = realloc(set->inodes, capacity * sizeof *grown);
	if (!grown)
		return -1;
	set->inodes = grown;
	set->capacity = capacity;
	return 0;
}

static void inode_set_sort(struct inode_set *set)
{
	if (set->count > 1)     /* an empty set may have no array at all */
		qsort(set->inodes, set->count, sizeof *set->inodes, compare_inodes);
}

static bool inode_set_has(const struct inode_set *set, uint32_t inode)
{
	return inode && set->count
		&& bsearch(&inode, set->inodes, set->count, sizeof inode, compare_inodes);
}

/* The set of the inodes `snap` lists (0, for sockets without one, left out). */
static int inode_set_of_snapshot(struct inode_set *set, const struct probe_snapshot *snap)
{
	set->count = 0;
	if (inode_set_reserve(set, snap->count) < 0)
		return -1;
	for (size_t i = 0; i < snap->count; i++)
		if (snap->sockets[i].inode)
			set->inodes[set->count++] = snap->sockets[i].inode;
	inode_set_sort(set);
	return 0;
}

static int inode_set_of_fds(struct inode_set *set, const struct exact_input *input)
{
	set->count = 0;
	if (inode_set_reserve(set, input->fd_count) < 0)
		return -1;
	for (size_t i = 0; i < input->fd_count; i++)
		set->inodes[set->count++] = input->fds[i].inode;
	inode_set_sort(set);
	return 0;
}

static bool was_touched(const struct exact_input *input, uint32_t inode)
{
	for (size_t i = 0; i < input->touched_count; i++)
		if (input->touched[i] == inode)
			return true;
	return false;
}

static int snapshot_append(struct probe_snapshot *snap, const struct probe_socket *socket)
{
	if (snap->count == snap->capacity) {
		size_t capacity = snap->capacity ? snap->capacity * 2 : 16;
		struct probe_socket *grown = realloc(snap->sockets, capacity * sizeof *grown);
		if (!grown)
			return -1;
		snap->sockets = grown;
		snap->capacity = capacity;
	}
	snap->sockets[snap->count++] = *socket;
	return 0;
}

/* ---- keys ---------------------------------------------------------------- */

static uint16_t port_of(const struct sockaddr_storage *address)
{
	if (address->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)address)->sin_port);
	if (address->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
	return 0;
}

/* The bytes that tell two addresses apart: family, port, address. */
static int compare_addresses(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return a->ss_family < b->ss_family ? -1 : 1;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		if (x->sin_port != y->sin_port)
			return x->sin_port < y->sin_port ? -1 : 1;
		return memcmp(&x->sin_addr, &y->sin_addr, sizeof x->sin_addr);
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		if (x->sin6_port != y->sin6_port)
			return x->sin6_port < y->sin6_port ? -1 : 1;
		return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
	}
	return 0;
}

static int compare_keys(const void *a_, const void *b_)
{
	const struct probe_key *a = a_, *b = b_;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == PROBE_UNIX)
		return (a->inode > b->inode) - (a->inode < b->inode);
	int local = compare_addresses(&a->local, &b->local);
	return local ? local : compare_addresses(&a->peer, &b->peer);
}

static int add_key(struct exact *exact, size_t *count, const struct probe_key *key)
{
	if (*count == exact->key_capacity) {
		size_t capacity = exact->key_capacity ? exact->key_capacity * 2 : 16;
		struct probe_key *grown = realloc(exact->keys, capacity * sizeof *grown);
		if (!grown)
			return -1;
		exact->keys = grown;
		exact->key_capacity = capacity;
	}
	exact->keys[(*count)++] = *key;
	return 0;
}

/* The keys of every known socket, the mirror of every known TCP
 * connection (the other end, in an accept queue or held by the other
 * side) and the peer of every known Unix socket (the server's end of a
 * connection not accepted yet), each once. A key that names the
 * socket the kernel swapped in (a TIME-WAIT socket for a closed one)
 * keeps the cookie of the one it had: probe_lookup asks again without. */
static int make_keys(struct exact *exact, size_t *count)
{
	*count = 0;
	for (size_t i = 0; i < exact->known.count; i++) {
		const struct probe_socket *socket = &exact->known.sockets[i];
		struct probe_key key;
		if (probe_key_of(socket, &key) < 0)
			continue;
		if (add_key(exact, count, &key) < 0)
			return -1;
		if (key.kind == PROBE_UNIX && socket->peer_inode) {
			struct probe_key peer = { .kind = PROBE_UNIX, .inode = socket->peer_inode };
			if (add_key(exact, count, &peer) < 0)
				return -1;
		} else if (key.kind != PROBE_UNIX && port_of(&socket->peer) != 0) {
			struct probe_key mirror = { .kind = key.kind, .local = socket->peer,
						    .peer = socket->local };
			if (add_key(exact, count, &mirror) < 0)
				return -1;
		}
	}
	/* Sorted, a key and its duplicates are neighbours: the first kept is
	 * the one with a cookie, if any (a mirror has none). */
	if (*count > 1)
		qsort(exact->keys, *count, sizeof *exact->keys, compare_keys);
	size_t unique = 0;
	for (size_t i = 0; i < *count; i++) {
		if (unique > 0 && compare_keys(&exact->keys[unique - 1], &exact->keys[i]) == 0) {
			if (!exact->keys[unique - 1].cookie)
				exact->keys[unique - 1].cookie = exact->keys[i].cookie;
			continue;
		}
		exact->keys[unique++] = exact->keys[i];
	}
	*count = unique;
	return 0;
}

/* ---- the snapshot --------------------------------------------------------- */

/* A dump can skip a socket that arrived in a bucket it had walked: the
 * other end of a connection an fd holds (a server's child, made while the
 * dump ran, in its listener's accept queue) is asked for by its addresses
 * too, and added when the dump lacks it. */
static int add_mirrors_of_fds(struct exact *exact, struct probe *probe,
			      struct probe_snapshot *raw, char **err)
{
	size_t count = 0;
	for (size_t i = 0; i < raw->count; i++) {
		const struct probe_socket *socket = &raw->sockets[i];
		struct probe_key key;
		if (socket->family == AF_UNIX || port_of(&socket->peer) == 0
		    || !inode_set_has(&exact->fds_now, socket->inode)
		    || probe_key_of(socket, &key) < 0)
			continue;
		struct probe_key mirror = { .kind = key.kind, .local = socket->peer,
					    .peer = socket->local };
		if (add_key(exact, &count, &mirror) < 0)
			return text_error(err, "out of memory");
	}
	if (count == 0)
		return 0;
	struct probe_snapshot found = { 0 };
	int result = probe_lookup(probe, exact->keys, count, &found, err);
	if (result == 0 && exact_add_unlisted(raw, &found) < 0)
		result = text_error(err, "out of memory");
	probe_snapshot_done(&found);
	return result;
}

/* Whether the exact requests may have missed something new: an fd the
 * kernel did not show, whose socket a call of this step made or used, or
 * that is new since the last snapshot (a woken accept() made it after the
 * snapshot of its step). */
static bool dump_due(const struct exact *exact, const struct exact_input *input)
{
	if (!exact->has_known)
		return true;
	for (size_t i = 0; i < input->fd_count; i++) {
		uint32_t inode = input->fds[i].inode;
		if (!inode_set_has(&exact->listed, inode)
		    && (was_touched(input, inode) || !inode_set_has(&exact->fds_before, inode)))
			return true;
	}
	return false;
}

/* Keeps the lab's sockets of raw for the next snapshot: those an fd
 * holds, their Unix peers, and every inet socket on a port one of those
 * or a socket known before has (children, TIME-WAIT, the other end). */
static int keep_known(struct exact *exact, const struct probe_snapshot *raw, char **err)
{
	static const size_t port_bytes = 65536 / 8;
	uint8_t ports[65536 / 8];
	memset(ports, 0, port_bytes);
	struct inode_set *peers = &exact->peers;
	peers->count = 0;
	if (inode_set_reserve(peers, raw->count + exact->known.count) < 0)
		return text_error(err, "out of memory");
	for (int pass = 0; pass < 2; pass++) {
		const struct probe_snapshot *from = pass == 0 ? raw : &exact->known;
		for (size_t i = 0; i < from->count; i++) {
			const struct probe_socket *socket = &from->sockets[i];
			if (pass == 0 && !inode_set_has(&exact->fds_now, socket->inode))
				continue;
			uint16_t port = port_of(&socket->local);
			if (socket->family == AF_UNIX && socket->peer_inode)
				peers->inodes[peers->count++] = socket->peer_inode;
			else if (socket->family != AF_UNIX && port)
				ports[port / 8] |= (uint8_t)(1u << (port % 8));
		}
	}
	inode_set_sort(peers);
	struct probe_snapshot *next = &exact->scratch;
	probe_snapshot_clear(next);
	for (size_t i = 0; i < raw->count; i++) {
		const struct probe_socket *socket = &raw->sockets[i];
		uint16_t local = port_of(&socket->local), peer = port_of(&socket->peer);
		bool keep = inode_set_has(&exact->fds_now, socket->inode);
		if (!keep && socket->family == AF_UNIX)
			keep = inode_set_has(peers, socket->inode);
		else if (!keep)
			keep = (local && (ports[local / 8] >> (local % 8) & 1))
				|| (peer && (ports[peer / 8] >> (peer % 8) & 1));
		if (keep && snapshot_append(next, socket) < 0)
			return text_error(err, "out of memory");
	}
	struct probe_snapshot swap = exact->known;
	exact->known = *next;
	*next = swap;
	exact->has_known = true;
	return 0;
}

/* A TCP socket that is bound only (neither listening nor connected) sits
 * in the bind hash alone, which no exact request reaches: while no call
 * touches its fd it stays as the last dump showed it. */
static int carry_bound_only(struct exact *exact, const struct exact_input *input,
			    struct probe_snapshot *raw, char **err)
{
	for (size_t i = 0; i < exact->known.count; i++) {
		const struct probe_socket *socket = &exact->known.sockets[i];
		if (socket->family == AF_UNIX || socket->state != TCP_CLOSE
		    || !inode_set_has(&exact->fds_now, socket->inode)
		    || was_touched(input, socket->inode)
		    || inode_set_has(&exact->listed, socket->inode))
			continue;
		if (snapshot_append(raw, socket) < 0)
			return text_error(err, "out of memory");
	}
	return 0;
}

/* How many of the lab's sockets in `dump` (held by an fd, or on a known
 * socket's port) the exact requests did not find. Once a second at most. */
static size_t count_missed(const struct exact *exact, const struct probe_snapshot *found,
			   const struct probe_snapshot *dump)
{
	size_t missed = 0;
	for (size_t i = 0; i < dump->count; i++) {
		const struct probe_socket *socket = &dump->sockets[i];
		struct probe_key key, other;
		if (probe_key_of(socket, &key) < 0 || socket->state == TCP_CLOSE)
			continue;
		bool lab = inode_set_has(&exact->fds_now, socket->inode);
		for (size_t k = 0; !lab && socket->family != AF_UNIX && k < exact->known.count; k++)
			lab = exact->known.sockets[k].family != AF_UNIX
				&& (port_of(&exact->known.sockets[k].local)
					    == port_of(&socket->local)
				    || port_of(&exact->known.sockets[k].local)
					    == port_of(&socket->peer));
		if (!lab)
			continue;
		bool seen = false;
		for (size_t k = 0; !seen && k < found->count; k++)
			seen = probe_key_of(&found->sockets[k], &other) == 0
				&& compare_keys(&key, &other) == 0;
		missed += !seen;
	}
	return missed;
}

/* A socket an exact request found exists: it joins a dump that skipped it. */
int exact_add_unlisted(struct probe_snapshot *dump, const struct probe_snapshot *found)
{
	size_t dumped = dump->count;
	for (size_t i = 0; i < found->count; i++) {
		const struct probe_socket *socket = &found->sockets[i];
		struct probe_key key, other;
		if (probe_key_of(socket, &key) < 0)
			continue;
		/* By address, not cookie: a TIME-WAIT socket that took a closed
		 * one's place between the two looks is the same connection. */
		bool listed = false;
		for (size_t k = 0; !listed && k < dumped; k++)
			listed = probe_key_of(&dump->sockets[k], &other) == 0
				&& compare_keys(&key, &other) == 0;
		if (!listed && snapshot_append(dump, socket) < 0)
			return -1;
	}
	return 0;
}

int exact_snapshot(struct exact *exact, struct probe *probe, const struct exact_input *input,
		   struct probe_snapshot *raw, bool *dumped, size_t *missed, char **err)
{
	size_t key_count = 0;
	*dumped = false;
	*missed = 0;
	probe_snapshot_clear(raw);
	if (inode_set_of_fds(&exact->fds_now, input) < 0)
		return text_error(err, "out of memory");
	if (exact->has_known) {
		if (make_keys(exact, &key_count) < 0)
			return text_error(err, "out of memory");
		if (probe_lookup(probe, exact->keys, key_count, raw, err) < 0)
			return -1;
	}
	if (inode_set_of_snapshot(&exact->listed, raw) < 0)
		return text_error(err, "out of memory");
	bool due = dump_due(exact, input);
	bool periodic = !due && input->now_us - exact->last_dump_us >= EXACT_DUMP_INTERVAL_US;
	if (due || periodic) {
		struct probe_snapshot found = exact->scratch;
		exact->scratch = *raw;
		*raw = found;
		if (probe_snapshot(probe, input->what, raw, err) < 0)
			return -1;
		if (periodic)
			*missed = count_missed(exact, &exact->scratch, raw);
		if (exact_add_unlisted(raw, &exact->scratch) < 0)
			return text_error(err, "out of memory");
		if (add_mirrors_of_fds(exact, probe, raw, err) < 0)
			return -1;
		exact->last_dump_us = input->now_us;
		*dumped = true;
	} else if (carry_bound_only(exact, input, raw, err) < 0) {
		return -1;
	}
	int result = keep_known(exact, raw, err);
	/* The fds of this snapshot are the ones the next one compares with. */
	struct inode_set swap = exact->fds_before;
	exact->fds_before = exact->fds_now;
	exact->fds_now = swap;
	return result;
}
