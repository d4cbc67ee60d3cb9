// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title The DSO's fiat financial asset: an ERC-20 in cents
/// @notice PETra's "financial assets": issued when a prosumer pays fiat money in and redeemed
/// when it takes fiat money out, both by the DSO (ISSUER_ROLE). Two decimals (1 token = 1 euro).
interface IFiatToken is IERC20 {
    /// @notice `amount` cents were issued to `to` against fiat money received by the issuer.
    event Issued(address indexed issuer, address indexed to, uint256 amount);
    /// @notice `amount` cents of `from` were redeemed (burned) and paid out in fiat by the issuer.
    event Redeemed(address indexed issuer, address indexed from, uint256 amount);

    /// @notice Zero amounts are refused.
    error FiatZeroAmount();

    /// @notice Issue `amount` cents to `to`. Only ISSUER_ROLE.
    function issue(address to, uint256 amount) external;

    /// @notice Redeem `amount` cents from `from`, who approved the issuer for them (its request
    /// to be paid out in fiat). Only ISSUER_ROLE.
    function redeem(address from, uint256 amount) external;

    /// @notice Total cents ever issued.
    function totalIssued() external view returns (uint256);

    /// @notice Total cents ever redeemed; `totalSupply() == totalIssued() - totalRedeemed()`.
    function totalRedeemed() external view returns (uint256);
}
