/* OP-TEE's extensions to the Internal Core API that TAs commonly use. */
#ifndef TEE_INTERNAL_API_EXTENSIONS_H
#define TEE_INTERNAL_API_EXTENSIONS_H

#include <stddef.h>
#include <tee_api_types.h>

/* Heap bookkeeping (debug aids in OP-TEE): mark, then bytes in use. */
void tee_user_mem_mark_heap(void);
size_t tee_user_mem_check_heap(void);

/* Cache maintenance: a no-op on a process TEE (always TEE_SUCCESS). */
TEE_Result TEE_CacheClean(char *buf, size_t len);
TEE_Result TEE_CacheFlush(char *buf, size_t len);
TEE_Result TEE_CacheInvalidate(char *buf, size_t len);

#endif /* TEE_INTERNAL_API_EXTENSIONS_H */
