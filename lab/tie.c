/* tie — whose is each kernel socket (see tie.h). */
#include "tie.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "address.h"
#include "text.h"

/* A socket seen before, by its addresses: who it belonged to and its name,
 * so a TIME-WAIT socket keeps its side and name after close(). */
struct memory {
	int family;
	int type;
	uint32_t inode;       /* of the socket an fd held when last seen, 0 if none */
	struct lab_address local;
	struct lab_address peer;
	int side;
	char name[NAME_MAX_LEN];
	const struct lab_socket *writer;   /* the row remembered here last: again, a no-op */
};

/* An fd of a side; the holders of one inode are chained in order of
 * (side, process, fd). */
struct holder {
	uint32_t inode;
	int side;
	int process;
	int fd;
	const char *name;
	struct holder *next;  /* the next holder of the same inode, or NULL */
};

/* Open addressing by inode: each slot holds 1 + an index, 0 for empty.
 * Every snapshot looks up every socket by inode: a hash costs one probe
 * where a sort and binary searches cost a few hundred compares. */
struct inode_index {
	uint32_t *slots;
	size_t size;              /* a power of two, at least twice the entries */
};

/* The rows of a snapshot being made, before they are shared. */
struct rows {
	struct lab_socket *at;
	size_t count;
};

struct tie {
	struct memory *memory;     /* in the order first seen */
	size_t memory_count, memory_capacity;
	uint32_t *memory_index;    /* open addressing by addresses: 1 + index into
	                              memory, 0 empty */
	size_t bucket_count;       /* a power of two, at least twice memory_capacity */
	struct holder *holders;    /* scratch: every fd, in the input's order */
	size_t holder_count, holder_capacity;
	/* Scratch, kept from one snapshot to the next: */
	struct inode_index by_inode;   /* the first holder of each inode */
	struct inode_index listed;     /* the inodes of the rows made so far */
	struct inode_index earlier;    /* the baseline's rows, the first of each inode */
	size_t *earlier_next;          /* the baseline's next row of the same inode, + 1; 0 none */
	size_t earlier_capacity;
	struct lab_socket *rows;       /* the rows being made */
	struct sort_entry *sorted;     /* the same rows, in the order shown; and as many spare */
	const struct lab_socket **was; /* each sorted row's row in the baseline, or NULL */
	size_t *was_at;                /* and its index there */
	uint32_t *remembered;          /* each sorted row's memory, 1 + index; 0 none */
	size_t row_capacity;
	/* The last snapshot made: its rows (for identity only, never read) and
	 * where each is remembered, as `remembered`. */
	const struct lab_socket **last_rows;
	uint32_t *last_memory;
	size_t last_count, last_capacity;
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
	free(tie->by_inode.slots);
	free(tie->listed.slots);
	free(tie->earlier.slots);
	free(tie->earlier_next);
	free(tie->rows);
	free(tie->sorted);
	free(tie->was);
	free(tie->was_at);
	free(tie->remembered);
	free(tie->last_rows);
	free(tie->last_memory);
	free(tie);
}

void tie_forget(struct tie *tie)
{
	if (!tie)
		return;
	tie->memory_count = 0;
	tie->last_count = 0;
	if (tie->memory_index)
		memset(tie->memory_index, 0, tie->bucket_count * sizeof *tie->memory_index);
}

/* ---- memory: sockets by their addresses --------------------------------- */

/* A socket's family and addresses: where it sits in the index. */
static size_t memory_hash(int family, const struct lab_address *local,
			  const struct lab_address *peer)
{
	uint32_t hash =
		lab_address_hash(peer, lab_address_hash(local, 2166136261u ^ (uint32_t)family));
	return hash ^ (hash >> 16);
}

/* The remembered socket with these addresses, and the bucket where it is
 * (the empty one to fill when there is none). Every snapshot asks this for
 * every socket: with a hundred connections a scan would cost ~100 us. */
static struct memory *memory_find(const struct tie *tie, int family,
				  const struct lab_address *local, const struct lab_address *peer,
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
		if (m->family == family && lab_address_equal(&m->local, local)
		    && lab_address_equal(&m->peer, peer)) {
			*bucket_out = bucket;
			return m;
		}
		bucket = (bucket + 1) & (tie->bucket_count - 1);
	}
}

static const struct memory *recall(const struct tie *tie, int family,
				   const struct lab_address *local, const struct lab_address *peer)
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
		size_t bucket =
			memory_hash(m->family, &m->local, &m->peer) & (tie->bucket_count - 1);
		while (index[bucket])
			bucket = (bucket + 1) & (tie->bucket_count - 1);
		index[bucket] = (uint32_t)(i + 1);
	}
	return 0;
}

/* Remembers `socket`, a row of the snapshot being made, and says where
 * in *slot (1 + index; 0 when such a row is not remembered). */
static int remember(struct tie *tie, const struct lab_socket *socket, uint32_t *slot)
{
	*slot = 0;
	if (socket->side < 0 || lab_address_is(&socket->local, LAB_ADDRESS_NONE))
		return 0;
	size_t bucket = 0;
	struct memory *m = memory_find(tie, socket->family, &socket->local, &socket->peer, &bucket);
	if (!m) {
		if (memory_reserve(tie) < 0)
			return -1;
		memory_find(tie, socket->family, &socket->local, &socket->peer, &bucket);
		m = &tie->memory[tie->memory_count++];
		memset(m, 0, sizeof *m);
		tie->memory_index[bucket] = (uint32_t)tie->memory_count;
		m->family = socket->family;
		m->local = socket->local;
		m->peer = socket->peer;
	}
	m->type = socket->type;
	m->side = socket->side;
	if (socket->inode && socket->fd >= 0)
		m->inode = socket->inode;
	if (socket->name[0] && strcmp(m->name, socket->name) != 0)
		text_copy(m->name, sizeof m->name, socket->name);
	m->writer = socket;
	*slot = (uint32_t)(m - tie->memory) + 1;
	return 0;
}

/* Whether remembering `row` again would change nothing: the row of the
 * last snapshot at `index`, remembered in `slot` and not overwritten
 * since. Nearly every row of a step is, and its memory costs a hash of
 * two addresses otherwise. */
static bool still_remembered(const struct tie *tie, size_t index, const struct lab_socket *row)
{
	if (index >= tie->last_count || tie->last_rows[index] != row)
		return false;
	uint32_t slot = tie->last_memory[index];
	if (slot == 0)
		return true;   /* not a row remember() keeps: nor is it now */
	if (slot > tie->memory_count)
		return false;
	/* A row is alive while a snapshot holds it, so no other row has its
	 * address; the memory's key makes sure the slot is still its own. */
	const struct memory *m = &tie->memory[slot - 1];
	return m->writer == row && m->family == row->family
		&& lab_address_equal(&m->local, &row->local)
		&& lab_address_equal(&m->peer, &row->peer);
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
	return (struct tie_remembered){ .family = m->family,
					.type = m->type,
					.side = m->side,
					.inode = m->inode,
					.local = &m->local,
					.peer = &m->peer,
					.name = m->name };
}

int tie_remembered_side(const struct tie *tie, int family, const struct lab_address *address)
{
	for (size_t i = tie->memory_count; i-- > 0;)
		if (tie->memory[i].family == family
		    && lab_address_equal(&tie->memory[i].local, address))
			return tie->memory[i].side;
	return -1;
}

/* ---- inode indexes ---------------------------------------------------- */

static size_t inode_hash(uint32_t inode, size_t size)
{
	return (size_t)((inode * 2654435761u) >> 7) & (size - 1);
}

/* An empty index with room for `count` entries. Returns 0, -1 out of memory. */
static int inode_index_clear(struct inode_index *index, size_t count)
{
	size_t size = 16;
	while (size < 2 * count)
		size *= 2;
	if (size > index->size) {
		uint32_t *slots = malloc(size * sizeof *slots);
		if (!slots)
			return -1;
		free(index->slots);
		index->slots = slots;
		index->size = size;
	}
	memset(index->slots, 0, index->size * sizeof *index->slots);
	return 0;
}

/* The slot of `inode`: its entry, or the empty slot where it goes.
 * `inode_of(context, i)` is the inode of entry i. */
static uint32_t *inode_slot(const struct inode_index *index, uint32_t inode,
			    uint32_t (*inode_of)(const void *context, size_t i),
			    const void *context)
{
	size_t at = inode_hash(inode, index->size);
	while (index->slots[at] && inode_of(context, index->slots[at] - 1) != inode)
		at = (at + 1) & (index->size - 1);
	return &index->slots[at];
}

/* ---- holders: every fd of every side, by inode ------------------------ */

static uint32_t holder_inode(const void *tie, size_t i)
{
	return ((const struct tie *)tie)->holders[i].inode;
}

/* Whether `a` comes before `b` among the holders of one inode. */
static bool holder_before(const struct holder *a, const struct holder *b)
{
	if (a->side != b->side)
		return a->side < b->side;
	return a->process != b->process ? a->process < b->process : a->fd < b->fd;
}

/* How many fds hold the socket `first` holds (any side, any process). */
static unsigned holder_count_of(const struct holder *first)
{
	unsigned count = 0;
	for (const struct holder *holder = first; holder; holder = holder->next)
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
	if (inode_index_clear(&tie->by_inode, input->fd_count) < 0)
		return -1;
	tie->holder_count = input->fd_count;
	for (size_t i = 0; i < input->fd_count; i++) {
		const struct tie_fd *fd = &input->fds[i];
		struct holder *holder = &tie->holders[i];
		*holder = (struct holder){ .inode = fd->inode, .side = fd->side,
					   .process = fd->process, .fd = fd->fd,
					   .name = fd->name ? fd->name : "" };
		if (fd->inode == 0)
			continue;
		uint32_t *slot = inode_slot(&tie->by_inode, fd->inode, holder_inode, tie);
		if (!*slot) {
			*slot = (uint32_t)(i + 1);
			continue;
		}
		/* A socket held twice (after fork(), or dup()): its chain in order. */
		struct holder *first = &tie->holders[*slot - 1];
		if (holder_before(holder, first)) {
			holder->next = first;
			*slot = (uint32_t)(i + 1);
			continue;
		}
		struct holder *after = first;
		while (after->next && !holder_before(holder, after->next))
			after = after->next;
		holder->next = after->next;
		after->next = holder;
	}
	return 0;
}

/* The first (lowest side) holder of `inode`, or NULL. */
static const struct holder *find_holder(const struct tie *tie, uint32_t inode)
{
	if (inode == 0 || tie->holder_count == 0)
		return NULL;
	uint32_t slot = *inode_slot(&tie->by_inode, inode, holder_inode, tie);
	return slot ? &tie->holders[slot - 1] : NULL;
}

static bool in_dump(const struct probe_snapshot *raw, uint32_t inode)
{
	for (size_t i = 0; i < raw->count; i++)
		if (raw->sockets[i].inode == inode)
			return true;
	return false;
}

/* ---- rows ------------------------------------------------------------- */

/* Whether two addresses have the same port: both internet ones with one
 * port, or both without a port at all. */
static bool same_port(const struct lab_address *a, const struct lab_address *b)
{
	if (lab_address_is_inet(a) != lab_address_is_inet(b))
		return false;
	return !lab_address_is_inet(a) || (a->port == b->port && a->flags == b->flags);
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
		if (l->state != TCP_LISTEN || l->family != socket->family
		    || l->type != socket->type)
			continue;
		if (l->family == AF_UNIX ? lab_address_equal(&l->local, &socket->local)
					 : same_port(&l->local, &socket->local))
			return l->side;
	}
	return -1;
}

/* The length of a unix address the probe reports: its path to the NUL,
 * or an abstract name (a NUL, then the name) to the next. */
static socklen_t unix_length(const struct sockaddr_un *un)
{
	size_t name = un->sun_path[0] ? strnlen(un->sun_path, sizeof un->sun_path)
				      : 1 + strnlen(un->sun_path + 1, sizeof un->sun_path - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + name);
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
			lab_address_from_sockaddr((const struct sockaddr *)&in->local,
						  unix_length(un), &out->local);
		else
			out->local = lab_address_of_kind(LAB_ADDRESS_NONE);
		out->peer = lab_address_of_kind(in->peer_inode ? LAB_ADDRESS_UNIX_PEER
							       : LAB_ADDRESS_NONE);
	} else {
		lab_address_from_sockaddr((const struct sockaddr *)&in->local, sizeof in->local,
					  &out->local);
		lab_address_from_sockaddr((const struct sockaddr *)&in->peer, sizeof in->peer,
					  &out->peer);
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
			if (other->fd >= 0 && other->family == socket->family
			    && lab_address_equal(&other->local, &socket->peer)
			    && lab_address_equal(&other->peer, &socket->local) && other->side >= 0)
				socket->order =
					1 + (uint32_t)other->side * 65536 + (uint32_t)other->fd;
		}
		const struct memory *m = recall(tie, socket->family, &socket->local, &socket->peer);
		if (socket->order == 3000000 && m)
			socket->order = 1000000 + (uint32_t)(m - tie->memory);
	}
}

/* A row's place in the order shown, as two numbers: sides in order and
 * the sockets the lab cannot place last; in a side, the sockets an fd
 * holds first, by process and fd; then those no fd holds, by `order`.
 * Rows equal in both are ordered by their addresses. */
struct sort_entry {
	uint64_t major;           /* side, no fd, process */
	uint64_t minor;           /* fd, order */
	struct lab_socket *row;
};

static uint64_t biased(int value)
{
	return (uint32_t)value ^ 0x80000000u;   /* signed order as unsigned */
}

static struct sort_entry sort_entry_of(struct lab_socket *row)
{
	uint64_t side = row->side < 0 ? 0x7fffffffu : (uint32_t)row->side & 0x7fffffffu;
	uint64_t fdless = row->fd < 0;
	return (struct sort_entry){ .major = side << 33 | fdless << 32 | biased(row->process),
				    .minor = biased(row->fd) << 32 | row->order, .row = row };
}

/* Rows equal in both numbers (rare), by their addresses as shown. */
static bool addresses_before(const struct lab_socket *a, const struct lab_socket *b)
{
	int by_local = lab_address_text_compare(&a->local, &b->local);
	return (by_local ? by_local : lab_address_text_compare(&a->peer, &b->peer)) < 0;
}

static bool sorts_before(const struct sort_entry *a, const struct sort_entry *b)
{
	if (a->major != b->major)
		return a->major < b->major;
	if (a->minor != b->minor)
		return a->minor < b->minor;
	return addresses_before(a->row, b->row);
}

/* Sorts `count` entries, `spare` room for as many: runs of 8 by
 * insertion, then merged bottom-up. The compare is inlined: qsort's call
 * a compare cost more than the rest of the sort with 200 rows. */
static void sort_entries(struct sort_entry *entries, struct sort_entry *spare, size_t count)
{
	enum { RUN = 8 };
	for (size_t start = 0; start < count; start += RUN) {
		size_t end = start + RUN < count ? start + RUN : count;
		for (size_t i = start + 1; i < end; i++) {
			struct sort_entry entry = entries[i];
			size_t k = i;
			for (; k > start && sorts_before(&entry, &entries[k - 1]); k--)
				entries[k] = entries[k - 1];
			entries[k] = entry;
		}
	}
	struct sort_entry *from = entries, *to = spare;
	for (size_t width = RUN; width < count; width *= 2) {
		for (size_t start = 0; start < count; start += 2 * width) {
			size_t middle = start + width < count ? start + width : count;
			size_t end = start + 2 * width < count ? start + 2 * width : count;
			size_t a = start, b = middle, out = start;
			while (a < middle && b < end)
				to[out++] = sorts_before(&from[b], &from[a]) ? from[b++]
									     : from[a++];
			while (a < middle)
				to[out++] = from[a++];
			while (b < end)
				to[out++] = from[b++];
		}
		struct sort_entry *swap = from;
		from = to;
		to = swap;
	}
	if (from != entries)
		memcpy(entries, from, count * sizeof *entries);
}

/* The peer of a Unix socket is an inode; show the peer's path (or name). */
static void name_unix_peers(struct rows *rows)
{
	for (size_t i = 0; i < rows->count; i++) {
		struct lab_socket *socket = &rows->at[i];
		if (socket->family != AF_UNIX || !socket->peer_inode)
			continue;
		for (size_t k = 0; k < rows->count; k++)
			if (rows->at[k].inode == socket->peer_inode
			    && rows->at[k].family == AF_UNIX) {
				const struct lab_address *path = &rows->at[k].local;
				socket->peer = lab_address_is(path, LAB_ADDRESS_NONE)
					? lab_address_of_kind(LAB_ADDRESS_UNIX_UNNAMED)
					: *path;
			}
	}
}

/* ---- change marks ----------------------------------------------------- */

static uint32_t baseline_inode(const void *baseline, size_t i)
{
	return ((const struct lab_snapshot *)baseline)->sockets[i]->inode;
}

/* Is `candidate` the same socket as `socket`, one snapshot earlier? By
 * inode where both have one (unnamed Unix sockets all read "*"), else by
 * side and fd (no address yet), else by addresses (TIME-WAIT and queued
 * connections have no inode). */
static bool same_socket(const struct lab_socket *socket, const struct lab_socket *candidate)
{
	if (socket->inode && candidate->inode)
		return socket->inode == candidate->inode && socket->side == candidate->side
			&& socket->process == candidate->process
			&& (socket->holders < 2 || socket->fd == candidate->fd);
	if (socket->state == 0 || candidate->state == 0)
		return socket->side == candidate->side && socket->fd == candidate->fd
			&& socket->state == candidate->state;
	return candidate->family == socket->family
		&& lab_address_equal(&candidate->local, &socket->local)
		&& lab_address_equal(&candidate->peer, &socket->peer);
}

/* The baseline's rows by inode, the rows of one inode chained in the
 * baseline's order. Returns 0, -1 out of memory. */
static int index_earlier(struct tie *tie, const struct lab_snapshot *before)
{
	if (before->count > tie->earlier_capacity) {
		size_t *grown = realloc(tie->earlier_next, before->count * sizeof *grown);
		if (!grown)
			return -1;
		tie->earlier_next = grown;
		tie->earlier_capacity = before->count;
	}
	if (inode_index_clear(&tie->earlier, before->count) < 0)
		return -1;
	for (size_t k = before->count; k-- > 0;) {
		tie->earlier_next[k] = 0;
		uint32_t inode = before->sockets[k]->inode;
		if (inode == 0)
			continue;
		uint32_t *slot = inode_slot(&tie->earlier, inode, baseline_inode, before);
		tie->earlier_next[k] = *slot;   /* walking backwards: k goes first */
		*slot = (uint32_t)(k + 1);
	}
	return 0;
}

/* Which row of `before` is `socket` (its index), or before->count for a
 * new socket. */
static size_t find_earlier(const struct tie *tie, const struct lab_snapshot *before,
			   const struct lab_socket *socket)
{
	if (socket->inode) {
		uint32_t first = *inode_slot(&tie->earlier, socket->inode, baseline_inode, before);
		for (size_t k = first; k; k = tie->earlier_next[k - 1])
			if (same_socket(socket, before->sockets[k - 1]))
				return k - 1;
	}
	/* No inode on one side: a queued connection accepted since, a
	 * TIME-WAIT socket, a socket with no address yet. */
	for (size_t k = 0; k < before->count; k++)
		if ((!socket->inode || !before->sockets[k]->inode)
		    && same_socket(socket, before->sockets[k]))
			return k;
	return before->count;
}

/* Marks what changed in each of `count` rows since `before`, and says in
 * tie->was[i] which row of `before` row i is (NULL for a new socket), at
 * tie->was_at[i]. Returns 0, -1 out of memory. */
static int mark_changes(struct tie *tie, const struct sort_entry *now, size_t count,
			const struct lab_snapshot *before)
{
	if (index_earlier(tie, before) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		struct lab_socket *socket = now[i].row;
		size_t at = find_earlier(tie, before, socket);
		const struct lab_socket *old = at < before->count ? before->sockets[at] : NULL;
		tie->was[i] = old;
		tie->was_at[i] = at;
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
		if (!lab_address_equal(&old->local, &socket->local)
		    || !lab_address_equal(&old->peer, &socket->peer))
			socket->changes |= CHANGE_ADDRESS;
	}
	return 0;
}

/* ---- the snapshot ----------------------------------------------------- */

/* A socket no fd holds: in a listener's accept queue, closed and finishing
 * (remembered by its addresses), or nobody's. Returns false when the row is
 * not the lab's and must not be shown. */
static bool place_fdless(const struct tie *tie, const struct tie_input *input,
			 const struct rows *so_far, struct lab_socket *socket)
{
	const struct memory *m = recall(tie, socket->family, &socket->local, &socket->peer);
	int listener = listener_side_for(so_far, socket);
	if (listener >= 0 && socket->state != TCP_LISTEN && (!m || !m->name[0])
	    && (socket->state == TCP_ESTABLISHED || socket->state == TCP_SYN_RECV
		|| socket->state == TCP_CLOSE_WAIT)) {
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

static uint32_t row_inode(const void *rows, size_t i)
{
	return ((const struct rows *)rows)->at[i].inode;
}

/* Fds whose socket is in no kernel table: a fresh TCP or UDP socket (no
 * address yet), or one the kernel dropped (seen before, gone now). */
static int add_unlisted_fds(struct tie *tie, const struct tie_input *input, struct rows *next)
{
	if (inode_index_clear(&tie->listed, next->count) < 0)
		return -1;
	bool listed_without_inode = false;
	for (size_t k = 0; k < next->count; k++) {
		if (next->at[k].inode == 0) {
			listed_without_inode = true;
			continue;
		}
		uint32_t *slot = inode_slot(&tie->listed, next->at[k].inode, row_inode, next);
		if (!*slot)
			*slot = (uint32_t)(k + 1);
	}
	for (size_t i = 0; i < input->fd_count; i++) {
		const struct tie_fd *fd = &input->fds[i];
		bool listed = fd->inode ? *inode_slot(&tie->listed, fd->inode, row_inode, next) != 0
					: listed_without_inode;
		if (listed)
			continue;
		struct lab_socket *socket = &next->at[next->count++];
		memset(socket, 0, sizeof *socket);
		socket->side = fd->side;
		socket->process = fd->process;
		socket->holders = 0;
		if (fd->inode)
			socket->holders = holder_count_of(find_holder(tie, fd->inode));
		for (size_t k = 0; k < input->fd_count && !fd->inode; k++)
			socket->holders += input->fds[k].inode == 0;
		socket->fd = fd->fd;
		socket->inode = fd->inode;
		socket->family = fd->family;
		socket->type = fd->type;
		bool read = fd->family == AF_UNSPEC || fd->family == AF_INET
			|| fd->family == AF_INET6 || fd->family == AF_UNIX;
		socket->note = !read                  ? NOTE_UNREAD
			: seen_before(tie, fd->inode) ? NOTE_DROPPED
						      : NOTE_UNBOUND;
		/* No table the lab reads has it: its addresses are unknown, not none. */
		socket->local = lab_address_of_kind(read ? LAB_ADDRESS_NONE : LAB_ADDRESS_UNKNOWN);
		socket->peer = socket->local;
		set_text(socket->name, sizeof socket->name, fd->name ? fd->name : "");
	}
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
	struct sort_entry *sorted = realloc(tie->sorted, 2 * count * sizeof *sorted);
	if (sorted)
		tie->sorted = sorted;
	const struct lab_socket **was = realloc(tie->was, count * sizeof *was);
	if (was)
		tie->was = was;
	size_t *was_at = realloc(tie->was_at, count * sizeof *was_at);
	if (was_at)
		tie->was_at = was_at;
	uint32_t *remembered = realloc(tie->remembered, count * sizeof *remembered);
	if (remembered)
		tie->remembered = remembered;
	if (!rows || !sorted || !was || !was_at || !remembered)
		return -1;
	tie->row_capacity = count;
	return 0;
}

/* The rows of the sockets the kernel listed: those some fd holds first,
 * so listeners are known when the others are placed. */
static void add_listed(struct tie *tie, const struct tie_input *input, struct rows *next)
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
				socket->holders = holder_count_of(holder);
				if (socket->family != AF_UNIX && socket->type == SOCK_STREAM
				    && socket->state == TCP_CLOSE)
					socket->note = NOTE_BOUND_ONLY;
				set_text(socket->name, sizeof socket->name, holder->name);
			} else if (!place_fdless(tie, input, next, socket)) {
				continue;
			}
			next->count++;
			if (!holder)
				continue;
			/* After a fork() both processes hold the socket: a row each. */
			for (const struct holder *other = holder->next; other;
			     other = other->next) {
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

/* Keeps `made`'s rows and where each is remembered, for the next
 * snapshot's still_remembered(). */
static int remember_last(struct tie *tie, const struct lab_snapshot *made)
{
	if (made->count > tie->last_capacity) {
		size_t count = made->count;
		const struct lab_socket **rows = realloc(tie->last_rows, count * sizeof *rows);
		if (rows)
			tie->last_rows = rows;
		uint32_t *memory = realloc(tie->last_memory, count * sizeof *memory);
		if (memory)
			tie->last_memory = memory;
		if (!rows || !memory)
			return -1;
		tie->last_capacity = count;
	}
	if (made->count) {
		memcpy(tie->last_rows, made->sockets, made->count * sizeof *tie->last_rows);
		memcpy(tie->last_memory, tie->remembered, made->count * sizeof *tie->last_memory);
	}
	tie->last_count = made->count;
	return 0;
}

int tie_snapshot(struct tie *tie, const struct tie_input *input, struct lab_snapshot *out,
		 char **err)
{
	const struct probe_snapshot *raw = input->raw;
	/* Room for every probed socket (one row per holder after a fork) plus
	 * every fd the probe did not list. */
	if (index_holders(tie, input) < 0
	    || reserve_rows(tie, raw->count + 2 * input->fd_count + 1) < 0)
		return text_error(err, "out of memory");
	struct rows next = { .at = tie->rows };
	add_listed(tie, input, &next);
	if (add_unlisted_fds(tie, input, &next) < 0)
		return text_error(err, "out of memory");
	name_unix_peers(&next);
	order_fdless(tie, &next);
	for (size_t i = 0; i < next.count; i++)
		tie->sorted[i] = sort_entry_of(&next.at[i]);
	sort_entries(tie->sorted, tie->sorted + next.count, next.count);
	if (!input->baseline)
		memset(tie->was, 0, next.count * sizeof *tie->was);
	else if (mark_changes(tie, tie->sorted, next.count, input->baseline) < 0)
		return text_error(err, "out of memory");
	/* A row the same as the baseline's, change marks included, is that
	 * row: shared, not copied. */
	struct lab_snapshot made = { 0 };
	for (size_t i = 0; i < next.count; i++) {
		const struct lab_socket *was = tie->was[i];
		bool same = was && memcmp(was, tie->sorted[i].row, sizeof *was) == 0;
		if ((same ? lab_snapshot_append_shared(&made, was)
			  : lab_snapshot_append(&made, tie->sorted[i].row)) < 0)
			goto out_of_memory;
		const struct lab_socket *row = made.sockets[i];
		if (same && still_remembered(tie, tie->was_at[i], row))
			tie->remembered[i] = tie->last_memory[tie->was_at[i]];
		else if (remember(tie, row, &tie->remembered[i]) < 0)
			goto out_of_memory;
	}
	if (remember_last(tie, &made) < 0)
		goto out_of_memory;
	*out = made;
	return 0;
out_of_memory:
	lab_snapshot_done(&made);
	return text_error(err, "out of memory");
}
