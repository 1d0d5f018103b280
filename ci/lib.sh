# Shared helpers for the ci/ scripts (sourced, not run).

# Repository root, whatever the caller's working directory.
PIXBRIDGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PIXBRIDGE_ROOT

# Prints a visible stage banner.
stage() {
    printf '\n==> %s\n' "$*"
}

# Installs the Debian packages given as arguments that are not installed yet.
# Root on the CI machines; sudo elsewhere if available.
apt_install() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    stage "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Fails early with a clear message when a required tool is absent.
require() {
    command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required but not installed ($2)" >&2; exit 1; }
}
