'use strict';
// This machine's platform as napi-rs names it in package and addon file names (`linux-x64-gnu`,
// `linux-arm-gnueabihf`, `darwin-arm64`, `win32-x64-msvc`): one definition for the loader's
// error message, `npm run package` and the tests.

/** Whether this Linux runs glibc (musl otherwise); what the generated loader checks too. */
function isGlibc() {
  try {
    return Boolean(process.report.getReport().header.glibcVersionRuntime);
  } catch {
    return true;
  }
}

function platformName() {
  const { platform, arch } = process;
  if (platform === 'win32') return `${platform}-${arch}-msvc`;
  if (platform !== 'linux') return `${platform}-${arch}`;
  return `${platform}-${arch}-${isGlibc() ? 'gnu' : 'musl'}${arch === 'arm' ? 'eabihf' : ''}`;
}

module.exports = { platformName, isGlibc };
