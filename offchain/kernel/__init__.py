"""The kernel: what every other layer of ``offchain`` may use, importing nothing above it.

* :mod:`.errors` — the :class:`GridLedgerError` hierarchy;
* :mod:`.fs` — project root, state folder, ``node_modules`` binaries, ports, polling, :func:`atomic_write`;
* :mod:`.process` — background processes in their own session, stopped by PID;
* :mod:`.chain` — :class:`Chain` / :func:`connect`: fees, nonces, sending, receipts;
* :mod:`.anvil` — the one anvil launcher (:class:`EmbeddedAnvil`) and its funded keys;
* :mod:`.artifacts`, :mod:`.reverts`, :mod:`.contracts` — compiled artifacts, custom-error decoding, deployment;
* :mod:`.crypto` — secp256k1 keys, Keccak-256, EIP-191 signatures, addresses, hex;
* :mod:`.commandline` — options and the chain opener shared by every command;
* :mod:`.mechanism` — the :class:`Mechanism` registry entry type;
* :mod:`.lazy` — PEP 562 lazy package exports.

Import the submodules directly; this package itself loads nothing heavy.
"""
