// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IFiatToken} from "interfaces/petra/IFiatToken.sol";

/// @title FiatToken: the DSO's financial asset, an ERC-20 in cents
/// @notice PETra's "financial assets are unsigned integers in a fiat denomination, released and
/// managed by the DSO": the DSO (ISSUER_ROLE) issues cents when a prosumer pays fiat money in
/// and redeems them (burning what the holder approved) when it pays fiat money out. It is the
/// payment asset of the PETra market's funds ledger and may be that of any other market.
/// @dev Invariant: `totalSupply() == totalIssued - totalRedeemed`; supply changes only by
/// `issue` and `redeem`, both by ISSUER_ROLE holders; a redemption needs the holder's allowance.
contract FiatToken is IFiatToken, ERC20, AccessControl {
    /// @notice Role that issues and redeems cents.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    uint256 private _issued;
    uint256 private _redeemed;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants and revokes issuers)
    /// @param issuer receives ISSUER_ROLE (the DSO)
    constructor(address admin, address issuer) ERC20("GridLedger euro cent", "EURC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, issuer);
    }

    /// @notice Cents: 2 decimals.
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /// @inheritdoc IFiatToken
    function issue(address to, uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert FiatZeroAmount();
        _issued += amount;
        _mint(to, amount);
        emit Issued(msg.sender, to, amount);
    }

    /// @inheritdoc IFiatToken
    function redeem(address from, uint256 amount) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert FiatZeroAmount();
        _spendAllowance(from, msg.sender, amount);
        _redeemed += amount;
        _burn(from, amount);
        emit Redeemed(msg.sender, from, amount);
    }

    /// @inheritdoc IFiatToken
    function totalIssued() external view returns (uint256) {
        return _issued;
    }

    /// @inheritdoc IFiatToken
    function totalRedeemed() external view returns (uint256) {
        return _redeemed;
    }
}
