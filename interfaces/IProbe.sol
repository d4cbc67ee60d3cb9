// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
interface IProbe { error ProbeBad(uint256 x); function recover(bytes32 h, bytes calldata sig) external pure returns (address); }
