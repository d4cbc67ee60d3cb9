#!/usr/bin/env node
// Offline stand-in for the native `solc` binary, backed by solc-js from node_modules.
//
// py-solc-x / brownie find a compiler as `solc-v<version>` in SOLCX_BINARY_PATH; the
// Makefile installs a wrapper there that runs this file. Supported command lines:
//   solc --version
//   solc --standard-json [--allow-paths P] [--base-path P] [--include-path P]...  (JSON on stdin)
//   solc [remap=target ...] FILE... --combined-json a,b,c [--allow-paths P] ...   (slither)
// Imports are resolved on disk relative to the base path, include paths and cwd.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const solc = require(path.join(root, 'node_modules', 'solc'));

// Pipes are asynchronous in node: write synchronously so process.exit() cannot truncate.
function emit(text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function fail(msg) {
  process.stderr.write(`solc-shim: ${msg}\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const opts = { standardJson: false, combined: null, files: [], remaps: [], includes: [], base: null,
  optimize: false, runs: 200, evmVersion: null, viaIR: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--version' || a === '-v') {
    emit(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    process.exit(0);
  } else if (a === '--standard-json') opts.standardJson = true;
  else if (a === '--combined-json') opts.combined = argv[++i].split(',');
  else if (a === '--allow-paths') i++;
  else if (a === '--base-path') opts.base = argv[++i];
  else if (a === '--include-path') opts.includes.push(argv[++i]);
  else if (a === '--optimize') opts.optimize = true;
  else if (a === '--optimize-runs') opts.runs = parseInt(argv[++i], 10);
  else if (a === '--evm-version') opts.evmVersion = argv[++i];
  else if (a === '--via-ir') opts.viaIR = true;
  else if (a.startsWith('--')) { /* other flags are accepted and ignored */ }
  else if (a.includes('=')) opts.remaps.push(a);
  else opts.files.push(a);
}

const searchRoots = [opts.base, ...opts.includes, process.cwd()].filter(Boolean);

function findImports(p) {
  for (const base of searchRoots) {
    const candidate = path.isAbsolute(p) ? p : path.join(base, p);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
  }
  return { error: `File not found: ${p} (searched ${searchRoots.join(', ')})` };
}

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

if (opts.standardJson) {
  const input = JSON.parse(readStdin());
  // Sources given as {"urls": [...]} (crytic-compile) are read from disk.
  for (const [name, src] of Object.entries(input.sources || {})) {
    if (src.content === undefined && Array.isArray(src.urls)) {
      const found = src.urls.map(findImports).find((r) => r.contents !== undefined);
      if (!found) fail(`cannot read source ${name}`);
      src.content = found.contents;
      delete src.urls;
    }
  }
  emit(solc.compile(JSON.stringify(input), { import: findImports }));
  process.exit(0);
}

if (opts.combined) {
  if (opts.files.length === 0) fail('no input files');
  const sources = {};
  for (const f of opts.files) {
    const r = findImports(f);
    if (r.error) fail(r.error);
    sources[f] = { content: r.contents };
  }
  const wanted = new Set(opts.combined);
  const sel = ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'evm.methodIdentifiers', 'userdoc', 'devdoc'];
  const settings = { remappings: opts.remaps, outputSelection: { '*': { '*': sel, '': ['ast'] } },
    optimizer: { enabled: opts.optimize, runs: opts.runs } };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }),
    { import: findImports }));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) fail(errors.map((e) => e.formattedMessage).join('\n'));
  const contracts = {};
  for (const [file, cs] of Object.entries(out.contracts || {})) {
    for (const [name, c] of Object.entries(cs)) {
      const o = {};
      if (wanted.has('abi')) o.abi = c.abi;
      if (wanted.has('bin')) o.bin = c.evm.bytecode.object;
      if (wanted.has('bin-runtime')) o['bin-runtime'] = c.evm.deployedBytecode.object;
      if (wanted.has('srcmap')) o.srcmap = c.evm.bytecode.sourceMap;
      if (wanted.has('srcmap-runtime')) o['srcmap-runtime'] = c.evm.deployedBytecode.sourceMap;
      if (wanted.has('userdoc')) o.userdoc = c.userdoc;
      if (wanted.has('devdoc')) o.devdoc = c.devdoc;
      if (wanted.has('hashes')) o.hashes = c.evm.methodIdentifiers;
      contracts[`${file}:${name}`] = o;
    }
  }
  const sourceList = Object.keys(out.sources || {});
  const srcOut = {};
  for (const s of sourceList) srcOut[s] = { AST: out.sources[s].ast, id: out.sources[s].id };
  emit(JSON.stringify({ contracts, sourceList, sources: srcOut, version: solc.version() }));
  process.exit(0);
}

fail(`unsupported command line: ${argv.join(' ')}`);
