/*
 * The TA heap: TEE_Malloc/Realloc/Free from one arena of TA_DATA_SIZE
 * bytes mapped at start-up, so a TA cannot allocate more than its header
 * declares (TEE_Malloc returns NULL beyond it, as on OP-TEE).
 *
 * A boundary-tag allocator: every block starts with a 16-byte header and
 * ends with an 8-byte footer, both holding the block size (a multiple of
 * 16) with bit 0 set while the block is in use; free blocks are on one
 * doubly linked list (first fit) and are merged with free neighbours.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"
#include "ta_msg.h"
#include "tee_api.h"
#include "tee_internal_api_extensions.h"
#include "teestore_ta_heap.h"

#define HDR	  16
#define FTR	  8
#define MIN_BLOCK 48 /* header + two list pointers + footer, rounded */
#define USED	  ((size_t)1)

struct free_links {
	struct free_links *next, *prev;
};

static uint8_t *arena;
static size_t arena_size;
static struct free_links *free_list;
static size_t in_use, mark_in_use;

static size_t *hdr_of(uint8_t *b)
{
	return (size_t *)b;
}

static size_t *ftr_of(uint8_t *b, size_t size)
{
	return (size_t *)(b + size - FTR);
}

static size_t block_size(uint8_t *b)
{
	return *hdr_of(b) & ~USED;
}

static void set_block(uint8_t *b, size_t size, bool used)
{
	*hdr_of(b) = size | (used ? USED : 0);
	*ftr_of(b, size) = size | (used ? USED : 0);
}

static struct free_links *links(uint8_t *b)
{
	return (struct free_links *)(b + HDR);
}

static uint8_t *block_of_links(struct free_links *l)
{
	return (uint8_t *)l - HDR;
}

static void list_push(uint8_t *b)
{
	struct free_links *l = links(b);

	l->prev = NULL;
	l->next = free_list;
	if (free_list)
		free_list->prev = l;
	free_list = l;
}

static void list_remove(uint8_t *b)
{
	struct free_links *l = links(b);

	if (l->prev)
		l->prev->next = l->next;
	else
		free_list = l->next;
	if (l->next)
		l->next->prev = l->prev;
}

int rt_heap_init(size_t size)
{
	size_t page = 4096;

	/* Set up already, by the TA's first constructor (teestore_ta_heap_init):
	 * the same ta_heap_size. */
	if (arena || arena_size)
		return 0;
	arena_size = size & ~(size_t)15;
	if (arena_size < MIN_BLOCK)
		return 0; /* a TA without heap: every TEE_Malloc fails */
	arena =
	    mmap(NULL, (arena_size + page - 1) & ~(page - 1),
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		arena = NULL;
		return -errno;
	}
	set_block(arena, arena_size, false);
	list_push(arena);
	return 0;
}

bool rt_heap_contains(uintptr_t start, uintptr_t end)
{
	return arena && start >= (uintptr_t)arena &&
	       end <= (uintptr_t)arena + arena_size;
}

static uint8_t *heap_alloc(size_t n)
{
	struct free_links *l;
	size_t need;

	if (n > arena_size)
		return NULL;
	need = (n + HDR + FTR + 15) & ~(size_t)15;
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	for (l = free_list; l; l = l->next) {
		uint8_t *b = block_of_links(l);
		size_t have = block_size(b);

		if (have < need)
			continue;
		list_remove(b);
		if (have - need >= MIN_BLOCK) {
			set_block(b + need, have - need, false);
			list_push(b + need);
			have = need;
		}
		set_block(b, have, true);
		in_use += have;
		return b + HDR;
	}
	return NULL;
}

/* The block of a pointer TEE_Malloc returned; panics on anything else. */
static uint8_t *checked_block(void *p)
{
	uint8_t *b = (uint8_t *)p - HDR;
	size_t size;

	if (!arena || (uint8_t *)p < arena + HDR ||
	    (uint8_t *)p >= arena + arena_size || ((uintptr_t)p & 15))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	size = block_size(b);
	if (!(*hdr_of(b) & USED) || size < MIN_BLOCK ||
	    size > (size_t)(arena + arena_size - b) ||
	    *ftr_of(b, size) != *hdr_of(b))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return b;
}

static void heap_free(uint8_t *b)
{
	size_t size = block_size(b);

	in_use -= size;
	if (b + size < arena + arena_size && !(*hdr_of(b + size) & USED)) {
		list_remove(b + size);
		size += block_size(b + size);
	}
	if (b > arena && !(*(size_t *)(b - FTR) & USED)) {
		uint8_t *prev = b - (*(size_t *)(b - FTR) & ~USED);

		list_remove(prev);
		size += block_size(prev);
		b = prev;
	}
	set_block(b, size, false);
	list_push(b);
}

void *TEE_Malloc(size_t size, uint32_t hint)
{
	uint8_t *p;

	if (hint & ~(TEE_MALLOC_NO_FILL | TEE_MALLOC_NO_SHARE))
		return NULL;
	p = heap_alloc(size ? size : 1); /* a unique, non-NULL pointer */
	if (p && !(hint & TEE_MALLOC_NO_FILL))
		memset(p, 0, size);
	return p;
}

void TEE_Free(void *buffer)
{
	if (buffer)
		heap_free(checked_block(buffer));
}

void *TEE_Realloc(void *buffer, size_t newSize)
{
	uint8_t *b, *p;
	size_t usable;

	if (!buffer)
		return TEE_Malloc(newSize, TEE_MALLOC_NO_FILL);
	b = checked_block(buffer);
	usable = block_size(b) - HDR - FTR;
	if (newSize <= usable)
		return buffer;
	p = heap_alloc(newSize);
	if (!p)
		return NULL; /* the old block stays valid */
	memcpy(p, buffer, usable);
	heap_free(b);
	return p;
}

void tee_user_mem_mark_heap(void)
{
	mark_in_use = in_use;
}

size_t tee_user_mem_check_heap(void)
{
	return in_use > mark_in_use ? in_use - mark_in_use : 0;
}

/*
 * The TA's malloc family (ta_devkit/src/ta_libc_heap.c forwards here):
 * the TA heap, as OP-TEE's libutils gives a TA. A pointer from outside
 * the heap came from a libc function the TA called (strdup...): it goes
 * back to the host's libc.
 */
/* Bounded as prepare() bounds it (host_main.c): a bigger TA is refused
 * after the load anyway. */
int teestore_ta_heap_init(size_t size)
{
	if (size > TA_MSG_MAX_DATA_SIZE)
		return -EINVAL;
	return rt_heap_init(size);
}

void *teestore_ta_malloc(size_t n)
{
	return TEE_Malloc(n, TEE_MALLOC_NO_FILL);
}

void *teestore_ta_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return TEE_Malloc(n * size, TEE_MALLOC_FILL_ZERO);
}

static bool in_heap(const void *p)
{
	return p && rt_heap_contains((uintptr_t)p, (uintptr_t)p + 1);
}

void *teestore_ta_realloc(void *p, size_t n)
{
	if (p && !in_heap(p))
		return realloc(p, n);
	return TEE_Realloc(p, n);
}

void *teestore_ta_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL; /* p stays valid, as with glibc */
	return teestore_ta_realloc(p, n * size);
}

void teestore_ta_free(void *p)
{
	if (in_heap(p))
		TEE_Free(p);
	else
		free(p);
}
