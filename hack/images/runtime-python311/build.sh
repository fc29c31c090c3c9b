#!/usr/bin/env bash
# Builds image_name runtime-python311 (docker.io/lamina/runtime-python311:dev) into
# $LAMINA_CACHE/images, the managed image of python3.11: Debian's python3 (3.11) with the part of
# its standard library a function can use, and Lamina's own runtime interface client
# (runtimes/python). Prints the archive last. No code in /var/task: the operator mounts the
# function's unpacked zip there read-only and its layers at /opt (docs/runtimes.md).
#   /lambda-entrypoint.sh        the Function's default command ([handler] its argument); execs /var/runtime/bootstrap
#   /var/runtime/bootstrap       runtimes/python/bootstrap: python3 -u /var/runtime/bootstrap.py
#   /var/runtime/lamina_runtime  the client, compiled (the image is read-only: nothing compiles at start)
#   /usr/bin/python3.11 (python3 links to it), /usr/lib/python3.11 without what a function never
#                                runs (tests, IDLE, Tk, ensurepip, 2to3, the static library)
#   /etc/ssl/certs/ca-certificates.crt   Debian's CA bundle, for HTTPS from the function
#   /bin/bash for the two scripts; the libraries of python and of every extension module kept
# Rebuilt only when this recipe, the client, the image's name or the host's Python, bash or CA
# bundle change.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
source "$LAMINA_ROOT/hack/images/runtime-common/lib.sh"
PYTHON=/usr/bin/python3.11
STDLIB=/usr/lib/python3.11
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
runtimes="$LAMINA_ROOT/runtimes"
archive="$LAMINA_CACHE/images/runtime-python311.tar"
name="$(image_name runtime-python311)"

apt_install python3.11 ca-certificates
digest="$({
  echo "$name"
  (cd "$runtimes" && find python -name __pycache__ -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum)
  cat "${BASH_SOURCE[0]}"
  runtime_image_inputs
  dpkg-query -W bash python3.11 python3.11-minimal libpython3.11-minimal libpython3.11-stdlib ca-certificates
} | sha256sum | cut -d' ' -f1)"
runtime_image_start "$archive" "$digest"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
runtime_image_args "$root"
mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/var/runtime"
ln -s python3.11 "$root/usr/bin/python3"

# The standard library, with Debian's compiled files (__pycache__) so that imports do not compile.
cp -a "$STDLIB" "$root/usr/lib/"
stdlib="$root$STDLIB"
rm -rf "$stdlib"/{test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,pydoc_data,config-3.11-x86_64-linux-gnu} \
  "$stdlib"/turtle.py "$stdlib"/__pycache__/turtle.* \
  "$stdlib"/lib-dynload/{_tkinter,_test,_ctypes_test,_xxtestfuzz,xxlimited,_xxsubinterpreters}*
# Debian's sitecustomize links to /etc/python3.11, which is not in the image.
rm -f "$stdlib/sitecustomize.py"
find "$stdlib" -name '*.opt-[12].pyc' -delete
# The test suites some packages carry inside them (ctypes/test, unittest/test, …).
find "$stdlib" -depth -type d \( -name test -o -name tests \) -exec rm -rf {} +

# The client, compiled with hashes unchecked: valid whatever the files' times in the image.
cp "$runtimes/python/bootstrap" "$runtimes/python/bootstrap.py" "$root/var/runtime/"
cp -r "$runtimes/python/lamina_runtime" "$root/var/runtime/"
find "$root/var/runtime" -name __pycache__ -prune -exec rm -rf {} +
"$PYTHON" -m compileall -q --invalidation-mode unchecked-hash "$root/var/runtime/lamina_runtime" >/dev/null
chmod -R a+rX "$root"

# Every extension module's libraries (libssl, libffi, libsqlite3, …), found by ldd.
modules=()
for module in "$stdlib"/lib-dynload/*.so; do
  modules+=(--program "$module:$STDLIB/lib-dynload/${module##*/}")
done
"$LAMINA_ROOT/hack/images/build-image.sh" --name "$name" --out "$archive" \
  --program "$(command -v bash):/bin/bash" \
  --program "$PYTHON:$PYTHON" \
  "${modules[@]}" \
  --file "$CA_BUNDLE:$CA_BUNDLE" \
  "${RUNTIME_ARGS[@]}" \
  --env SSL_CERT_FILE="$CA_BUNDLE" \
  --env AWS_EXECUTION_ENV=AWS_Lambda_python3.11
runtime_image_done "$archive" "$digest"
