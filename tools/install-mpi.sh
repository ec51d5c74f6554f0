#!/bin/sh
# Install Open MPI from the system packages, for flambeau.distributed's 'mpi' backend and its
# tests. Does nothing when mpirun is already there. Without root (or sudo) and apt-get it only
# says what to install: the MPI tests then skip, and everything else still runs.
if command -v mpirun >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi
    if [ "$SUDO" != none ]; then
        echo "tools/install-mpi.sh: installing openmpi-bin and libopenmpi-dev with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get install -y -q openmpi-bin libopenmpi-dev >/dev/null 2>&1 ||
            { $SUDO apt-get update -q >/dev/null 2>&1 &&
              $SUDO apt-get install -y -q openmpi-bin libopenmpi-dev >/dev/null 2>&1; } ||
            echo "tools/install-mpi.sh: apt-get could not install Open MPI; the MPI tests will skip"
        exit 0
    fi
fi
echo "tools/install-mpi.sh: no MPI found and none installed (needs root or sudo and apt-get)."
echo "  Install Open MPI yourself (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev;"
echo "  Fedora: dnf install openmpi-devel; macOS: brew install open-mpi); until then the MPI tests skip."
exit 0
