# Installs libmcauth like a native library:
#   make install PREFIX=/usr/local        (DESTDIR is honoured, for packagers)
# puts include/mcauth.h, libmcauth.so.VERSION with its SONAME libmcauth.so.MAJOR and the usual
# symlinks, libmcauth.a and lib/pkgconfig/mcauth.pc under PREFIX. The libraries are stripped; their
# debug info goes to lib/.debug/, where gdb and valgrind find it through a debug link.
# Needs cargo, objcopy/strip (binutils) and patchelf. Linux only for now.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
# The 0.x series is ABI 0: programs record libmcauth.so.0, as cargo-c would name it.
MAJOR := $(firstword $(subst ., ,$(VERSION)))
REAL := libmcauth.so.$(VERSION)
SONAME := libmcauth.so.$(MAJOR)
RELEASE := target/release
STATIC_LIBS := $(shell grep -v '^\#' tests/c/static-libs.txt)
DEST := $(DESTDIR)$(LIBDIR)

.PHONY: all install

all:
	cargo build --release -p mcauth

install: all
	install -d $(DEST)/pkgconfig $(DEST)/.debug $(DESTDIR)$(INCLUDEDIR)
	install -m 644 include/mcauth.h $(DESTDIR)$(INCLUDEDIR)/mcauth.h
	objcopy --only-keep-debug $(RELEASE)/libmcauth.so $(DEST)/.debug/$(REAL).debug
	objcopy --strip-unneeded --add-gnu-debuglink=$(DEST)/.debug/$(REAL).debug \
		$(RELEASE)/libmcauth.so $(DEST)/$(REAL)
	patchelf --set-soname $(SONAME) $(DEST)/$(REAL)
	chmod 755 $(DEST)/$(REAL)
	ln -sf $(REAL) $(DEST)/$(SONAME)
	ln -sf $(SONAME) $(DEST)/libmcauth.so
	strip --strip-debug -o $(DEST)/libmcauth.a $(RELEASE)/libmcauth.a
	chmod 644 $(DEST)/libmcauth.a
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
		'Name: mcauth' \
		'Description: Cached, single-flight Salesforce Marketing Cloud access tokens' \
		'Version: $(VERSION)' \
		'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lmcauth' \
		'Libs.private: $(STATIC_LIBS)' > $(DEST)/pkgconfig/mcauth.pc
