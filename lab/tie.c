/* tie — whose is each kernel socket (see tie.h). */
#include "tie.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "text.h"

/* A socket seen before, by its addresses: who it belonged to and its name,
 * so a TIME-WAIT socket keeps its side and name after close(). */
struct memory {
	int family;
	int type;
	uint32_t inode;       /* of the socket an fd held when last seen, 0 if none */
	char local[TEXT_ADDRESS_MAX];
	char peer[TEXT_ADDRESS_MAX];
	int side;
	char name[NAME_MAX_LEN];
};

/* An fd of a side, in the index sorted by inode. */
struct holder {
	uint32_t inode;
	int side;
	int process;
	int fd;
	const char *name;
};

/* The rows of a snapshot being made, before they are shared. */
struct rows {
	struct lab_socket *at;
	size_t count;
};

struct tie {
	struct memory *memory;     /* in the order first seen */
	size_t memory_count, memory_capacity;
	uint32_t *memory_index;    /* open addressing by addresses: 1 + index into memory, 0 empty */
	size_t bucket_count;       /* a power of two, at least twice memory_capacity */
	struct holder *holders;    /* scratch, sorted by (inode, side, fd) */
	size_t holder_count, holder_capacity;
	struct lab_socket *rows;   /* scratch: the rows being made */
	struct lab_socket **sorted;   /* scratch: the same rows, in the order shown */
	const struct lab_socket **was;   /* scratch: each sorted row's row in the baseline, or NULL */
	size_t row_capacity;
};

struct tie *tie_new(void)
{
	return calloc(1, sizeof(struct tie));
}

void tie_free(struct tie *tie)
{
	if (!tie)
		return;
	free(tie->memory);
	free(tie->memory_index);
	free(tie->holders);
	free(tie->rows);
	free(tie->sorted);
	free(tie->was);
	free(tie);
}

void tie_forget(struct tie *tie)
{
	if (!tie)
		return;
	tie->memory_count = 0;
	if (tie->memory_index)
		memset(tie->memory_index, 0, tie->bucket_count * sizeof *tie->memory_index);
}

/* ---- memory: sockets by their addresses --------------------------------- */

/* FNV-1a over a socket's family and addresses: where it sits in the index. */
static size_t memory_hash(int family, const char *local, const char *peer)
{
	uint32_t hash = 2166136261u ^ (uint32_t)family;
	for (const char *text = local; *text; text++)
		hash = (hash ^ (unsigned char)*text) * 16777619u;
	hash = (hash ^ '|') * 16777619u;
	for (const char *text = peer; *text; text++)
		hash = (hash ^ (unsigned char)*text) * 16777619u;
	return hash;
}

/* The remembered socket with these addresses, and the bucket where it is
 * (the empty one to fill when there is none). Every snapshot asks this for
 * every socket: with a hundred connections a scan would cost ~100 us. */
static struct memory *memory_find(const struct tie *tie, int family, const char *local, const char *peer,
				  size_t *bucket_out)
{
	if (tie->bucket_count == 0)
		return NULL;
	size_t bucket = memory_hash(family, local, peer) & (tie->bucket_count - 1);
	for (;;) {
		uint32_t slot = tie->memory_index[bucket];
		if (slot == 0) {
			*bucket_out = bucket;
			return NULL;
		}
		struct memory *m = &tie->memory[slot - 1];
		if (m->family == family && strcmp(m->local, local) == 0 && strcmp(m->peer, peer) == 0) {
			*bucket_out = bucket;
			return m;
		}
		bucket = (bucket + 1) & (tie->bucket_count - 1);
	}
}

static const struct memory *recall(const struct tie *tie, int family, const char *local, const char *peer)
{
	size_t bucket;
	return memory_find(tie, family, local, peer, &bucket);
}

/* Room for one more remembered socket, the index rebuilt when it grows. */
static int memory_reserve(struct tie *tie)
{
	if (tie->memory_count < tie->memory_capacity)
		return 0;
	size_t capacity = tie->memory_capacity ? tie->memory_capacity * 2 : 64;
	struct memory *memory = realloc(tie->memory, capacity * sizeof *memory);
	if (!memory)
		return -1;
	tie->memory = memory;
	uint32_t *index = calloc(capacity * 2, sizeof *index);
	if (!index)
		return -1;
	tie->memory_capacity = capacity;
	free(tie->memory_index);
	tie->memory_index = index;
	tie->bucket_count = capacity * 2;
	for (size_t i = 0; i < tie->memory_count; i++) {
		const struct memory *m = &tie->memory[i];
		size_t bucket = memory_hash(m->family, m->local, m->peer) & (tie->bucket_count - 1);
		while (index[bucket])
			bucket = (bucket + 1) & (tie->bucket_count - 1);
		index[bucket] = (uint32_t)(i + 1);
	}
	return 0;
}

static int remember(struct tie *tie, const struct lab_socket *socket)
{
	if (socket->side < 0 || strcmp(socket->local, "*") == 0)
		return 0;
	size_t bucket = 0;
	struct memory *m = memory_find(tie, socket->family, socket->local, socket->peer, &bucket);
	if (!m) {
		if (memory_reserve(tie) < 0)
			return -1;
		memory_find(tie, socket->family, socket->local, socket->peer, &bucket);
		m = &tie->memory[tie->memory_count++];
		memset(m, 0, sizeof *m);
		tie->memory_index[bucket] = (uint32_t)tie->memory_count;
		m->family = socket->family;
		text_copy(m->local, sizeof m->local, socket->local);
		text_copy(m->peer, sizeof m->peer, socket->peer);
	}
	m->type = socket->type;
	m->side = socket->side;
	if (socket->inode && socket->fd >= 0)
		m->inode = socket->inode;
	if (socket->name[0] && strcmp(m->name, socket->name) != 0)
		text_copy(m->name, sizeof m->name, socket->name);
	return 0;
}

static bool seen_before(const struct tie *tie, uint32_t inode)
{
	for (size_t i = 0; i < tie->memory_count; i++)
		if (tie->memory[i].inode == inode)
			return true;
	return false;
}

unsigned tie_remembered_kinds(const struct tie *tie)
{
	unsigned what = 0;
	for (size_t i = 0; i < tie->memory_count; i++) {
		const struct memory *m = &tie->memory[i];
		bool stream = m->type == SOCK_STREAM;
		what |= m->family == AF_INET6 ? (stream ? PROBE_TCP6 : PROBE_UDP6)
			: m->family == AF_INET ? (stream ? PROBE_TCP4 : PROBE_UDP4) : PROBE_UNIX;
	}
	return what;
}

size_t tie_remembered_count(const struct tie *tie)
{
	return tie->memory_count;
}

struct tie_remembered tie_remembered_at(const struct tie *tie, size_t i)
{
	const struct memory *m = &tie->memory[i];
	return (struct tie_remembered){ .family = m->family, .type = m->type, .side = m->side, .inode = m->inode,
					.local = m->local, .peer = m->peer, .name = m->name };
}

int tie_remembered_side(const struct tie *tie, int family, const char *address)
{
	for (size_t i = tie->memory_count; i-- > 0;)
		if (tie->memory[i].family == family && strcmp(tie->memory[i].local, address) == 0)
			return tie->memory[i].side;
	return -1;
}

/* ---- holders: every fd of every side, by inode ------------------------ */

static int compare_holders(const void *a_, const void *b_)
{
	const struct holder *a = a_, *b = b_;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	if (a->side != b->side)
		return a->side - b->side;
	return a->process != b->process ? (a->process < b->process ? -1 : 1) : a->fd - b->fd;
}

/* How many fds hold `inode` (any side, any process). */
static unsigned holder_count_of(const struct tie *tie, size_t first)
{
	unsigned count = 0;
	for (size_t i = first; i < tie->holder_count && tie->holders[i].inode == tie->holders[first].inode; i++)
		count++;
	return count;
}

static int index_holders(struct tie *tie, const struct tie_input *input)
{
	if (input->fd_count > tie->holder_capacity) {
		struct holder *holders = realloc(tie->holders, input->fd_count * sizeof *holders);
		if (!holders)
			return -1;
		tie->holders = holders;
		tie->holder_capacity = input->fd_count;
	}
	for (size_t i = 0; i < input->fd_count; i++) {
		const struct tie_fd *fd = &input->fds[i];
		tie->holders[i] = (struct holder){ .inode = fd->inode, .side = fd->side, .process = fd->process,
						   .fd = fd->fd,
						   .name = fd->name ? fd->name : "" };
	}
	tie->holder_count = input->fd_count;
	if (tie->holder_count)
		qsort(tie->holders, tie->holder_count, sizeof *tie->holders, compare_holders);
	return 0;
}

/* Where the holders of `inode` begin in the index (holder_count if none). */
static size_t first_holder(const struct tie *tie, uint32_t inode)
{
	size_t low = 0, high = tie->holder_count;
	while (low < high) {
		size_t middle = (low + high) / 2;
		if (tie->holders[middle].inode < inode)
			low = middle + 1;
		else
			high = middle;
	}
	return low < tie->holder_count && tie->holders[low].inode == inode ? low : tie->holder_count;
}

/* The first (lowest side) holder of `inode`, or NULL. */
static const struct holder *find_holder(const struct tie *tie, uint32_t inode)
{
	if (inode == 0)
		return NULL;
	size_t first = first_holder(tie, inode);
	return first < tie->holder_count ? &tie->holders[first] : NULL;
}

static bool in_dump(const struct probe_snapshot *raw, uint32_t inode)
{
	for (size_t i = 0; i < raw->count; i++)
		if (raw->sockets[i].inode == inode)
			return true;
	return false;
}

/* ---- rows ------------------------------------------------------------- */

static const char *port_of(const char *address)
{
	const char *colon = strrchr(address, ':');
	return colon ? colon : "";
}

/* A text field of a row, the bytes after its end zeroed: rows that say
 * the same are the same bytes, so an unchanged row is found by memcmp. */
static void set_text(char *out, size_t size, const char *text)
{
	size_t len = strnlen(text, size - 1);
	memcpy(out, text, len);
	memset(out + len, 0, size - len);
}

/* A connection with no fd whose local address is a listener's: it waits in
 * that listener's accept queue (or is a request socket in SYN-RECV). */
static int listener_side_for(const struct rows *rows, const struct lab_socket *socket)
{
	for (size_t i = 0; i < rows->count; i++) {
		const struct lab_socket *l = &rows->at[i];
		if (l->state != TCP_LISTEN || l->family != socket->family || l->type != socket->type)
			continue;
		if (l->family == AF_UNIX ? strcmp(l->local, socket->local) == 0
					 : strcmp(port_of(l->local), port_of(socket->local)) == 0)
			return l->side;
	}
	return -1;
}

static void fill_socket(struct lab_socket *out, const struct probe_socket *in)
{
	memset(out, 0, sizeof *out);
	out->family = in->family;
	out->type = in->type;
	/* A request socket (NEW_SYN_RECV) is SYN-RECV to the student. */
	out->state = in->state == 12 ? TCP_SYN_RECV : in->state;
	out->recv_queue = in->recv_queue;
	out->send_queue = in->send_queue;
	out->timer_ms = in->timer_ms;
	out->timer = in->timer;
	out->retransmits = in->retransmits;
	out->uid = in->uid;
	out->peer_inode = in->peer_inode;
	out->cookie = in->cookie;
	out->inode = in->inode;
	out->side = -1;
	out->fd = -1;
	if (in->family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&in->local;
		if (un->sun_path[0] || un->sun_path[1])
			text_address((const struct sockaddr *)&in->local,
				     (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
						 (un->sun_path[0] ? strnlen(un->sun_path, sizeof un->sun_path)
								  : 1 + strnlen(un->sun_path + 1, sizeof un->sun_path - 1))),
				     out->local, sizeof out->local);
		else
			text_copy(out->local, sizeof out->local, "*");
		text_copy(out->peer, sizeof out->peer, in->peer_inode ? "(peer)" : "*");
	} else {
		text_address((const struct sockaddr *)&in->local, sizeof in->local, out->local, sizeof out->local);
		text_address((const struct sockaddr *)&in->peer, sizeof in->peer, out->peer, sizeof out->peer);
	}
}

/* Sockets no fd holds have kernel-chosen ports, so their addresses cannot
 * order them the same way twice. They sort by the other end of the
 * connection when an fd holds that (a queued connection follows the
 * client socket that made it), else by when the lab first saw them. */
static void order_fdless(const struct tie *tie, struct rows *rows)
{
	for (size_t i = 0; i < rows->count; i++) {
		struct lab_socket *socket = &rows->at[i];
		socket->order = 0;
		if (socket->fd >= 0)
			continue;
		socket->order = 3000000;
		for (size_t k = 0; k < rows->count; k++) {
			const struct lab_socket *other = &rows->at[k];
			if (other->fd >= 0 && other->family == socket->family && strcmp(other->local, socket->peer) == 0
			    && strcmp(other->peer, socket->local) == 0 && other->side >= 0)
				socket->order = 1 + (uint32_t)other->side * 65536 + (uint32_t)other->fd;
		}
		const struct memory *m = recall(tie, socket->family, socket->local, socket->peer);
		if (socket->order == 3000000 && m)
			socket->order = 1000000 + (uint32_t)(m - tie->memory);
	}
}

static int compare_sockets(const void *a_, const void *b_)
{
	const struct lab_socket *a = *(struct lab_socket *const *)a_, *b = *(struct lab_socket *const *)b_;
	/* Sides in order; sockets the lab cannot place last. */
	if (a->side != b->side) {
		if ((a->side < 0) != (b->side < 0))
			return a->side < 0 ? 1 : -1;
		return a->side - b->side;
	}
	if ((a->fd < 0) != (b->fd < 0))
		return (a->fd < 0) - (b->fd < 0);
	if (a->process != b->process)
		return a->process < b->process ? -1 : 1;
	if (a->fd != b->fd)
		return a->fd - b->fd;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	int by_local = strcmp(a->local, b->local);
	return by_local ? by_local : strcmp(a->peer, b->peer);
}

/* The peer of a Unix socket is an inode; show the peer's path (or name). */
static void name_unix_peers(struct rows *rows)
{
	for (size_t i = 0; i < rows->count; i++) {
		struct lab_socket *socket = &rows->at[i];
		if (socket->family != AF_UNIX || !socket->peer_inode)
			continue;
		for (size_t k = 0; k < rows->count; k++)
			if (rows->at[k].inode == socket->peer_inode && rows->at[k].family == AF_UNIX)
				set_text(socket->peer, sizeof socket->peer,
					 rows->at[k].local[0] != '*' ? rows->at[k].local : "(unnamed)");
	}
}

/* ---- change marks ----------------------------------------------------- */

static int compare_by_inode(const void *a_, const void *b_, void *rows_)
{
	const struct lab_socket *const *rows = rows_;
	const struct lab_socket *a = rows[*(const size_t *)a_], *b = rows[*(const size_t *)b_];
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	return a->side - b->side;
}

/* Is `candidate` the same socket as `socket`, one snapshot earlier? By
 * inode where both have one (unnamed Unix sockets all read "*"), else by
 * side and fd (no address yet), else by addresses (TIME-WAIT and queued
 * connections have no inode). */
static bool same_socket(const struct lab_socket *socket, const struct lab_socket *candidate)
{
	if (socket->inode && candidate->inode)
		return socket->inode == candidate->inode && socket->side == candidate->side
		       && socket->process == candidate->process && (socket->holders < 2 || socket->fd == candidate->fd);
	if (socket->state == 0 || candidate->state == 0)
		return socket->side == candidate->side && socket->fd == candidate->fd && socket->state == candidate->state;
	return candidate->family == socket->family && strcmp(candidate->local, socket->local) == 0
	       && strcmp(candidate->peer, socket->peer) == 0;
}

/* Marks what changed in each of `count` rows since `before`, and says in
 * was[i] which row of `before` row i is (NULL for a new socket). */
static void mark_changes(struct lab_socket *const *now, size_t count, const struct lab_snapshot *before,
			 const struct lab_socket **was)
{
	/* Earlier sockets by inode, so a hundred connections cost no more
	 * than a sort: most sockets are found by one binary search. */
	size_t *by_inode = malloc((before->count ? before->count : 1) * sizeof *by_inode);
	size_t with_inode = 0;
	for (size_t k = 0; by_inode && k < before->count; k++)
		if (before->sockets[k]->inode)
			by_inode[with_inode++] = k;
	if (by_inode)
		qsort_r(by_inode, with_inode, sizeof *by_inode, compare_by_inode, before->sockets);
	for (size_t i = 0; i < count; i++) {
		struct lab_socket *socket = now[i];
		const struct lab_socket *old = NULL;
		if (socket->inode && by_inode) {
			size_t low = 0, high = with_inode;
			while (low < high) {
				size_t middle = (low + high) / 2;
				const struct lab_socket *candidate = before->sockets[by_inode[middle]];
				if (candidate->inode < socket->inode
				    || (candidate->inode == socket->inode && candidate->side < socket->side))
					low = middle + 1;
				else
					high = middle;
			}
			if (low < with_inode && same_socket(socket, before->sockets[by_inode[low]]))
				old = before->sockets[by_inode[low]];
		}
		for (size_t k = 0; k < before->count && !old; k++)
			if (!(socket->inode && before->sockets[k]->inode) || !by_inode)
				if (same_socket(socket, before->sockets[k]))
					old = before->sockets[k];
		was[i] = old;
		if (!old) {
			socket->changes = CHANGE_NEW;
			continue;
		}
		socket->changes = 0;
		if (old->state != socket->state)
			socket->changes |= CHANGE_STATE;
		if (old->recv_queue != socket->recv_queue || old->send_queue != socket->send_queue)
			socket->changes |= CHANGE_QUEUE;
		if (old->fd != socket->fd || strcmp(old->name, socket->name))
			socket->changes |= CHANGE_FD;
		if (strcmp(old->local, socket->local) != 0 || strcmp(old->peer, socket->peer) != 0)
			socket->changes |= CHANGE_ADDRESS;
	}
	free(by_inode);
}

/* ---- the snapshot ----------------------------------------------------- */

/* A socket no fd holds: in a listener's accept queue, closed and finishing
 * (remembered by its addresses), or nobody's. Returns false when the row is
 * not the lab's and must not be shown. */
static bool place_fdless(const struct tie *tie, const struct tie_input *input, const struct rows *so_far,
			 struct lab_socket *socket)
{
	const struct memory *m = recall(tie, socket->family, socket->local, socket->peer);
	int listener = listener_side_for(so_far, socket);
	if (listener >= 0 && socket->state != TCP_LISTEN && (!m || !m->name[0])
	    && (socket->state == TCP_ESTABLISHED || socket->state == TCP_SYN_RECV || socket->state == TCP_CLOSE_WAIT)) {
		socket->side = listener;
		socket->note = socket->state == TCP_SYN_RECV ? NOTE_HANDSHAKE : NOTE_ACCEPT_QUEUE;
		return true;
	}
	if (m) {
		socket->side = m->side;
		set_text(socket->name, sizeof socket->name, m->name);
		socket->note = NOTE_CLOSED;
		/* The fd that held this connection may still be open, its
		 * socket gone from the tables: the kernel moved on. */
		const struct holder *holder = m->inode ? find_holder(tie, m->inode) : NULL;
		if (holder && !in_dump(input->raw, m->inode)) {
			socket->fd = holder->fd;
			socket->inode = m->inode;
			socket->note = NOTE_KERNEL_COPY;
		}
		return true;
	}
	/* On the host, a socket the lab cannot place is not the lab's; nor,
	 * anywhere, is an unplaceable Unix socket (the controller's own
	 * channels to its puppets). */
	if (input->host || socket->family == AF_UNIX)
		return false;
	socket->note = NOTE_UNKNOWN;
	return true;
}

static int compare_inodes(const void *a_, const void *b_)
{
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	return (a > b) - (a < b);
}

/* Fds whose socket is in no kernel table: a fresh TCP or UDP socket (no
 * address yet), or one the kernel dropped (seen before, gone now). */
static int add_unlisted_fds(const struct tie *tie, const struct tie_input *input, struct rows *next)
{
	uint32_t *listed = malloc((next->count ? next->count : 1) * sizeof *listed);
	if (!listed)
		return -1;
	for (size_t k = 0; k < next->count; k++)
		listed[k] = next->at[k].inode;
	size_t listed_count = next->count;
	qsort(listed, listed_count, sizeof *listed, compare_inodes);
	for (size_t i = 0; i < input->fd_count; i++) {
		const struct tie_fd *fd = &input->fds[i];
		if (bsearch(&fd->inode, listed, listed_count, sizeof *listed, compare_inodes))
			continue;
		struct lab_socket *socket = &next->at[next->count++];
		memset(socket, 0, sizeof *socket);
		socket->side = fd->side;
		socket->process = fd->process;
		socket->holders = 0;
		for (size_t k = 0; k < input->fd_count; k++)
			socket->holders += input->fds[k].inode == fd->inode;
		socket->fd = fd->fd;
		socket->inode = fd->inode;
		socket->family = fd->family;
		socket->type = fd->type;
		socket->note = seen_before(tie, fd->inode) ? NOTE_DROPPED : NOTE_UNBOUND;
		set_text(socket->local, sizeof socket->local, "*");
		set_text(socket->peer, sizeof socket->peer, "*");
		set_text(socket->name, sizeof socket->name, fd->name ? fd->name : "");
	}
	free(listed);
	return 0;
}

/* Scratch for `count` rows. */
static int reserve_rows(struct tie *tie, size_t count)
{
	if (count <= tie->row_capacity)
		return 0;
	struct lab_socket *rows = realloc(tie->rows, count * sizeof *rows);
	if (rows)
		tie->rows = rows;
	struct lab_socket **sorted = realloc(tie->sorted, count * sizeof *sorted);
	if (sorted)
		tie->sorted = sorted;
	const struct lab_socket **was = realloc(tie->was, count * sizeof *was);
	if (was)
		tie->was = was;
	if (!rows || !sorted || !was)
		return -1;
	tie->row_capacity = count;
	return 0;
}

/* The rows of the sockets the kernel listed: those some fd holds first,
 * so listeners are known when the others are placed. */
static void add_listed(const struct tie *tie, const struct tie_input *input, struct rows *next)
{
	const struct probe_snapshot *raw = input->raw;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < raw->count; i++) {
			const struct holder *holder = find_holder(tie, raw->sockets[i].inode);
			if ((holder != NULL) != (pass == 0))
				continue;
			struct lab_socket *socket = &next->at[next->count];
			fill_socket(socket, &raw->sockets[i]);
			if (holder) {
				socket->side = holder->side;
				socket->process = holder->process;
				socket->fd = holder->fd;
				socket->holders = holder_count_of(tie, (size_t)(holder - tie->holders));
				if (socket->family != AF_UNIX && socket->type == SOCK_STREAM && socket->state == TCP_CLOSE)
					socket->note = NOTE_BOUND_ONLY;
				set_text(socket->name, sizeof socket->name, holder->name);
			} else if (!place_fdless(tie, input, next, socket)) {
				continue;
			}
			next->count++;
			if (!holder)
				continue;
			/* After a fork() both processes hold the socket: a row each. */
			for (const struct holder *other = holder + 1;
			     other < tie->holders + tie->holder_count && other->inode == holder->inode; other++) {
				struct lab_socket *copy = &next->at[next->count++];
				memcpy(copy, socket, sizeof *copy);
				copy->side = other->side;
				copy->process = other->process;
				copy->fd = other->fd;
				set_text(copy->name, sizeof copy->name, other->name);
			}
		}
	}
}

int tie_snapshot(struct tie *tie, const struct tie_input *input, struct lab_snapshot *out, char **err)
{
	const struct probe_snapshot *raw = input->raw;
	/* Room for every probed socket (one row per holder after a fork) plus
	 * every fd the probe did not list. */
	if (index_holders(tie, input) < 0 || reserve_rows(tie, raw->count + 2 * input->fd_count + 1) < 0)
		return text_error(err, "out of memory");
	struct rows next = { .at = tie->rows };
	add_listed(tie, input, &next);
	if (add_unlisted_fds(tie, input, &next) < 0)
		return text_error(err, "out of memory");
	name_unix_peers(&next);
	order_fdless(tie, &next);
	for (size_t i = 0; i < next.count; i++)
		tie->sorted[i] = &next.at[i];
	qsort(tie->sorted, next.count, sizeof *tie->sorted, compare_sockets);
	if (input->baseline)
		mark_changes(tie->sorted, next.count, input->baseline, tie->was);
	else
		memset(tie->was, 0, next.count * sizeof *tie->was);
	/* A row the same as the baseline's, change marks included, is that
	 * row: shared, not copied. */
	struct lab_snapshot made = { 0 };
	for (size_t i = 0; i < next.count; i++) {
		const struct lab_socket *was = tie->was[i];
		if (remember(tie, tie->sorted[i]) < 0
		    || (was && memcmp(was, tie->sorted[i], sizeof *was) == 0 ? lab_snapshot_append_shared(&made, was)
									      : lab_snapshot_append(&made, tie->sorted[i])) < 0) {
			lab_snapshot_done(&made);
			return text_error(err, "out of memory");
		}
	}
	*out = made;
	return 0;
}
