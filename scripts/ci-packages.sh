#!/usr/bin/env bash
# The Debian packages the tests need beyond Python: LibreOffice (the circular's --pdf),
# poppler (pdftoppm renders the PDF's pages so the layout test can look at them), Chromium
# (the workbench's browser tests drive Debian's chromium with Playwright; never `playwright install`)
# and Redis (the distributed crawl; machines that run it as a service already have it).
# Installs only what is missing; needs root (CI runs as root). Never fails the run by itself:
# a missing tool then fails its test in CI with a clear message.
set -u
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)   # the distributed crawl's tests (scripts/services.sh starts it)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "提示：缺少 ${need[*]}，请以 root 运行 apt-get install ${need[*]}" >&2
  exit 0
fi
echo "安装 ${need[*]} ……"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null 2>&1 || true
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "提示：未能安装 ${need[*]}" >&2
exit 0
