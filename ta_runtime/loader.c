/* Loading the .ta: dlopen, the header and the entry points (runtime.h). */
#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include "runtime.h"
#include "uuid.h"

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p)
		rt_log("%s: missing symbol %s", rt.path, name);
	return p;
}

/* Records the PT_LOAD segments of the object that holds ta_head. */
static int find_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t want = (uintptr_t)arg;
	bool mine = false;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && want >= s &&
		    want < s + ph->p_memsz)
			mine = true;
	}
	if (!mine)
		return 0;
	for (i = 0; i < info->dlpi_phnum && rt.nsegs < RT_MAX_SEGS; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		struct rt_segment *seg = &rt.segs[rt.nsegs];

		if (ph->p_type != PT_LOAD)
			continue;
		seg->start = info->dlpi_addr + ph->p_vaddr;
		seg->end = seg->start + ph->p_memsz;
		seg->writable = ph->p_flags & PF_W;
		rt.nsegs++;
	}
	return 1;
}

TEE_Result rt_load(const char *path)
{
	const uint32_t *abi;
	const size_t *nprops, *heap;
	void *h;

	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		rt_log("cannot load TA: %s", dlerror());
		return TEE_ERROR_BAD_FORMAT;
	}
	abi = sym(h, "ta_teestore_abi");
	rt.head = sym(h, "ta_head");
	rt.props = sym(h, "ta_props");
	nprops = sym(h, "ta_num_props");
	heap = sym(h, "ta_heap_size");
	rt.create = (rt_create_fn)sym(h, "TA_CreateEntryPoint");
	rt.destroy = (rt_destroy_fn)sym(h, "TA_DestroyEntryPoint");
	rt.open = (rt_open_fn)sym(h, "TA_OpenSessionEntryPoint");
	rt.close = (rt_close_fn)sym(h, "TA_CloseSessionEntryPoint");
	rt.invoke = (rt_invoke_fn)sym(h, "TA_InvokeCommandEntryPoint");
	if (!abi || !rt.head || !rt.props || !nprops || !heap || !rt.create ||
	    !rt.destroy || !rt.open || !rt.close || !rt.invoke)
		return TEE_ERROR_BAD_FORMAT;
	if (*abi != TEESTORE_TA_ABI_VERSION) {
		rt_log("%s: TA ABI version %u, this host speaks %u", path, *abi,
		       TEESTORE_TA_ABI_VERSION);
		return TEE_ERROR_BAD_FORMAT;
	}
	rt.nprops = *nprops;
	rt.data_size = *heap;
	uuid_format(&rt.head->uuid, rt.uuid_str);
	dl_iterate_phdr(find_segments, (void *)rt.head);
	return TEE_SUCCESS;
}
