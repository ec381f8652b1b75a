/* exact — the host path's probe: exact requests, dumps where due (see exact.h). */
#include "exact.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "text.h"

struct exact {
	struct probe_snapshot known;    /* the lab's sockets of the last snapshot */
	bool has_known;                 /* false until a dump has run: the first snapshot dumps */
	int64_t last_dump_us;
	struct probe_key *keys;         /* scratch */
	size_t key_capacity;
	struct probe_snapshot scratch;
	uint32_t *fd_inodes;            /* the inodes the fds held at the last snapshot */
	size_t fd_inode_count, fd_inode_capacity;
};

struct exact *exact_new(void)
{
	return calloc(1, sizeof(struct exact));
}

void exact_free(struct exact *exact)
{
	if (!exact)
		return;
	probe_snapshot_done(&exact->known);
	probe_snapshot_done(&exact->scratch);
	free(exact->keys);
	free(exact->fd_inodes);
	free(exact);
}

void exact_forget(struct exact *exact)
{
	if (!exact)
		return;
	probe_snapshot_clear(&exact->known);
	exact->has_known = false;
	exact->fd_inode_count = 0;
}

static uint16_t port_of(const struct sockaddr_storage *address)
{
	if (address->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)address)->sin_port);
	if (address->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
	return 0;
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	return true;
}

static bool same_key(const struct probe_key *a, const struct probe_key *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == PROBE_UNIX)
		return a->inode == b->inode;
	return same_address(&a->local, &b->local) && same_address(&a->peer, &b->peer);
}

static bool has_fd(const struct exact_input *input, uint32_t inode)
{
	for (size_t i = 0; inode && i < input->fd_count; i++)
		if (input->fds[i].inode == inode)
			return true;
	return false;
}

static bool was_touched(const struct exact_input *input, uint32_t inode)
{
	for (size_t i = 0; i < input->touched_count; i++)
		if (input->touched[i] == inode)
			return true;
	return false;
}

/* An fd that holds a socket no fd held at the last snapshot: a call made
 * it, even one that returned after that snapshot was taken (a woken
 * accept()). */
static bool is_new_fd(const struct exact *exact, uint32_t inode)
{
	for (size_t i = 0; i < exact->fd_inode_count; i++)
		if (exact->fd_inodes[i] == inode)
			return false;
	return true;
}

static int remember_fds(struct exact *exact, const struct exact_input *input, char **err)
{
	if (input->fd_count > exact->fd_inode_capacity) {
		uint32_t *grown = realloc(exact->fd_inodes, input->fd_count * sizeof *grown);
		if (!grown)
			return text_error(err, "out of memory");
		exact->fd_inodes = grown;
		exact->fd_inode_capacity = input->fd_count;
	}
	for (size_t i = 0; i < input->fd_count; i++)
		exact->fd_inodes[i] = input->fds[i].inode;
	exact->fd_inode_count = input->fd_count;
	return 0;
}

static bool listed(const struct probe_snapshot *snap, uint32_t inode)
{
	for (size_t i = 0; i < snap->count; i++)
		if (snap->sockets[i].inode == inode)
			return true;
	return false;
}

static int add_key(struct exact *exact, size_t *count, const struct probe_key *key)
{
	for (size_t i = 0; i < *count; i++)
		if (same_key(&exact->keys[i], key))
			return 0;
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
 * connection not accepted yet). */
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
			struct probe_key mirror = { .kind = key.kind, .local = socket->peer, .peer = socket->local };
			if (add_key(exact, count, &mirror) < 0)
				return -1;
		}
	}
	return 0;
}

/* Whether the exact requests may have missed something new: an fd the
 * kernel did not show, whose socket a call of this step made or used, or
 * that is new since the last snapshot. */
static bool dump_due(const struct exact *exact, const struct exact_input *input, const struct probe_snapshot *raw)
{
	if (!exact->has_known)
		return true;
	for (size_t i = 0; i < input->fd_count; i++)
		if (!listed(raw, input->fds[i].inode)
		    && (was_touched(input, input->fds[i].inode) || is_new_fd(exact, input->fds[i].inode)))
			return true;
	return false;
}

/* Keeps the lab's sockets of raw for the next snapshot: those an fd
 * holds, their Unix peers, and every TCP socket on a port one of those or
 * a socket known before has (children, TIME-WAIT, the other end). */
static int keep_known(struct exact *exact, const struct exact_input *input, const struct probe_snapshot *raw,
		      char **err)
{
	/* At most one port or peer inode per socket of either snapshot. */
	size_t most = raw->count + exact->known.count;
	uint16_t *ports = malloc((most ? most : 1) * sizeof *ports);
	uint32_t *peers = malloc((most ? most : 1) * sizeof *peers);
	size_t port_count = 0, peer_count = 0;
	if (!ports || !peers) {
		free(ports);
		free(peers);
		return text_error(err, "out of memory");
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct probe_snapshot *from = pass == 0 ? raw : &exact->known;
		for (size_t i = 0; i < from->count; i++) {
			const struct probe_socket *socket = &from->sockets[i];
			if (pass == 0 && !has_fd(input, socket->inode))
				continue;
			if (socket->family == AF_UNIX && socket->peer_inode)
				peers[peer_count++] = socket->peer_inode;
			else if (socket->family != AF_UNIX && port_of(&socket->local))
				ports[port_count++] = port_of(&socket->local);
		}
	}
	struct probe_snapshot *next = &exact->scratch;
	probe_snapshot_clear(next);
	for (size_t i = 0; i < raw->count; i++) {
		const struct probe_socket *socket = &raw->sockets[i];
		bool keep = has_fd(input, socket->inode);
		for (size_t k = 0; !keep && socket->family == AF_UNIX && k < peer_count; k++)
			keep = socket->inode == peers[k];
		for (size_t k = 0; !keep && socket->family != AF_UNIX && k < port_count; k++)
			keep = port_of(&socket->local) == ports[k] || port_of(&socket->peer) == ports[k];
		if (!keep)
			continue;
		if (next->count == next->capacity) {
			size_t capacity = next->capacity ? next->capacity * 2 : 16;
			struct probe_socket *grown = realloc(next->sockets, capacity * sizeof *grown);
			if (!grown) {
				free(ports);
				free(peers);
				return text_error(err, "out of memory");
			}
			next->sockets = grown;
			next->capacity = capacity;
		}
		next->sockets[next->count++] = *socket;
	}
	free(ports);
	free(peers);
	struct probe_snapshot swap = exact->known;
	exact->known = *next;
	*next = swap;
	exact->has_known = true;
	return 0;
}

/* A TCP socket that is bound only (neither listening nor connected) sits
 * in the bind hash alone, which no exact request reaches: while no call
 * touches its fd it stays as the last dump showed it. */
static int carry_bound_only(struct exact *exact, const struct exact_input *input, struct probe_snapshot *raw,
			    char **err)
{
	for (size_t i = 0; i < exact->known.count; i++) {
		const struct probe_socket *socket = &exact->known.sockets[i];
		if (socket->family == AF_UNIX || socket->state != TCP_CLOSE || !has_fd(input, socket->inode)
		    || was_touched(input, socket->inode) || listed(raw, socket->inode))
			continue;
		if (raw->count == raw->capacity) {
			size_t capacity = raw->capacity ? raw->capacity * 2 : 16;
			struct probe_socket *grown = realloc(raw->sockets, capacity * sizeof *grown);
			if (!grown)
				return text_error(err, "out of memory");
			raw->sockets = grown;
			raw->capacity = capacity;
		}
		raw->sockets[raw->count++] = *socket;
	}
	return 0;
}

/* How many of the lab's sockets in `dump` (held by an fd, or on a known
 * socket's port) the exact requests did not find. */
static size_t count_missed(const struct exact *exact, const struct exact_input *input,
			   const struct probe_snapshot *found, const struct probe_snapshot *dump)
{
	size_t missed = 0;
	for (size_t i = 0; i < dump->count; i++) {
		const struct probe_socket *socket = &dump->sockets[i];
		struct probe_key key, other;
		if (probe_key_of(socket, &key) < 0)
			continue;
		bool lab = has_fd(input, socket->inode);
		for (size_t k = 0; !lab && socket->family != AF_UNIX && k < exact->known.count; k++)
			lab = exact->known.sockets[k].family != AF_UNIX
			      && (port_of(&exact->known.sockets[k].local) == port_of(&socket->local)
				  || port_of(&exact->known.sockets[k].local) == port_of(&socket->peer));
		if (!lab || socket->state == TCP_CLOSE)
			continue;
		bool seen = false;
		for (size_t k = 0; !seen && k < found->count; k++)
			seen = probe_key_of(&found->sockets[k], &other) == 0 && same_key(&key, &other);
		missed += !seen;
	}
	return missed;
}

int exact_snapshot(struct exact *exact, struct probe *probe, const struct exact_input *input,
		   struct probe_snapshot *raw, bool *dumped, size_t *missed, char **err)
{
	size_t key_count = 0;
	*dumped = false;
	*missed = 0;
	probe_snapshot_clear(raw);
	if (exact->has_known) {
		if (make_keys(exact, &key_count) < 0)
			return text_error(err, "out of memory");
		if (probe_lookup(probe, exact->keys, key_count, raw, err) < 0)
			return -1;
	}
	bool due = dump_due(exact, input, raw);
	bool periodic = !due && input->now_us - exact->last_dump_us >= EXACT_DUMP_INTERVAL_US;
	if (due || periodic) {
		struct probe_snapshot found = exact->scratch;
		exact->scratch = *raw;
		*raw = found;
		if (probe_snapshot(probe, input->what, raw, err) < 0)
			return -1;
		if (periodic)
			*missed = count_missed(exact, input, &exact->scratch, raw);
		exact->last_dump_us = input->now_us;
		*dumped = true;
	} else if (carry_bound_only(exact, input, raw, err) < 0) {
		return -1;
	}
	if (remember_fds(exact, input, err) < 0)
		return -1;
	return keep_known(exact, input, raw, err);
}
