"""Sign in and out with AsyncCodex: API-key login, account(), logout(), ChatGPT sign-ins.

Online (CODEX_EXAMPLES_ONLINE=1) the example leaves your stored sign-in alone.

Run it:  python examples/login_and_account/async.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, is_online
from openai_codex import AsyncCodex, CodexError


async def show_account(codex: AsyncCodex) -> None:
    response = await codex.account()
    if response.account is None:
        print(f"account: signed out (sign-in required: {response.requires_openai_auth})")
        return
    account = response.account.root
    if account.type == "chatgpt":
        print(f"account: ChatGPT {account.email} ({account.plan_type.value} plan)")
    else:
        print(f"account: {account.type}")


async def main() -> None:
    with example_config(requires_openai_auth=True) as config:
        async with AsyncCodex(config) as codex:
            await show_account(codex)

            if is_online():
                print("online: skipping API-key login and logout, to keep your sign-in")
            else:
                await codex.login_api_key("sk-example-not-a-real-key")
                await show_account(codex)
                await codex.logout()
                await show_account(codex)

            login = await codex.login_chatgpt()
            print(f"browser sign-in {login.login_id}: open {login.auth_url[:60]}...")
            # Wait for the outcome in a task while this one cancels the attempt.
            outcome_task = asyncio.create_task(login.wait())
            print(f"cancel: {(await login.cancel()).status.value}")
            outcome = await outcome_task
            print(f"outcome: success={outcome.success}")

            try:
                device = await codex.login_chatgpt_device_code()
            except CodexError as exc:
                print(f"device code: unavailable: {exc}")
            else:
                print(f"device code: visit {device.verification_url} and enter {device.user_code}")
                await device.cancel()


if __name__ == "__main__":
    asyncio.run(main())
