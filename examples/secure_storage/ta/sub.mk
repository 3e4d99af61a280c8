# OP-TEE-style TA build description (plain make against the dev kit:
# make TA_DEV_KIT_DIR=<build>/export/ta_dev_kit).
global-incdirs-y += ../include
srcs-y += secure_storage_ta.c
srcs-y += ss_util.c
srcs-y += ss_object.c
srcs-y += ss_put.c
srcs-y += ss_get.c
srcs-y += ss_info.c

