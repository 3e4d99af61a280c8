/*
 * An in-memory stand-in for the GP Internal Core API functions the secure
 * storage TA calls (persistent objects, enumerators, SHA-256 digests,
 * TEE_Malloc, traces), so the TA's protocol logic runs in a plain test
 * program: linked with the TA's sources in place of the TA runtime.
 *
 * Each storage operation is atomic, as GP requires. Crash injection:
 * fake_crash_after(n) lets n mutating operations (create, write,
 * truncate, rename, delete) happen and then, instead of the next one,
 * longjmps to fake_crash_jmp: the process "died" right before it.
 * fake_drop_handles() then closes every handle the way the end of a TA
 * instance does. TEE_Panic longjmps to fake_panic_jmp when armed.
 */
#ifndef FAKE_GP_H
#define FAKE_GP_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern jmp_buf fake_crash_jmp;
extern jmp_buf fake_panic_jmp;
extern bool fake_panic_armed;
extern uint32_t fake_panic_code;

/* Empties the store, closes everything, resets the heap counters. */
void fake_reset(void);
void fake_drop_handles(void);
/* n mutating operations, then a crash; -1 disables. */
void fake_crash_after(long n);
/* Mutating operations so far (to size a crash loop). */
long fake_mutations(void);

/* Direct access to the store (as the normal world would tamper). */
bool fake_object_get(uint32_t storage, const char *id, uint8_t **data,
		     size_t *len);
void fake_object_put(uint32_t storage, const char *id, const void *data,
		     size_t len);
bool fake_object_exists(uint32_t storage, const char *id);
int fake_open_handles(void);

/* TEE_Malloc accounting: bytes in use now and at most. */
size_t fake_heap_in_use(void);
size_t fake_heap_peak(void);

#endif /* FAKE_GP_H */
