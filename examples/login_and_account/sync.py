"""Sign in and out: API-key login, account(), logout(), and the ChatGPT sign-in flows.

Offline the scripted provider demands a sign-in, as the real OpenAI provider does, and a dummy API
key is used. Online (CODEX_EXAMPLES_ONLINE=1) the example leaves your stored sign-in alone: it only
reads your account, then starts and cancels the ChatGPT sign-ins.

Run it:  python examples/login_and_account/sync.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, is_online
from openai_codex import Codex, CodexError


def show_account(codex: Codex) -> None:
    response = codex.account()
    if response.account is None:
        print(f"account: signed out (sign-in required: {response.requires_openai_auth})")
        return
    account = response.account.root  # one variant per kind of sign-in
    if account.type == "chatgpt":
        print(f"account: ChatGPT {account.email} ({account.plan_type.value} plan)")
    else:
        print(f"account: {account.type}")


def main() -> None:
    with example_config(requires_openai_auth=True) as config, Codex(config) as codex:
        show_account(codex)

        if is_online():
            print("online: skipping API-key login and logout, to keep your sign-in")
        else:
            codex.login_api_key("sk-example-not-a-real-key")
            show_account(codex)
            codex.logout()
            show_account(codex)

        # Browser sign-in: open auth_url, then wait() for the outcome. Here it is cancelled,
        # which ends the attempt unsuccessfully; wait() still returns that outcome.
        login = codex.login_chatgpt()
        print(f"browser sign-in {login.login_id}: open {login.auth_url[:60]}...")
        print(f"cancel: {login.cancel().status.value}")
        outcome = login.wait()
        print(f"outcome: success={outcome.success}")

        # Device-code sign-in, for machines without a browser. It asks auth.openai.com for a
        # code first, so offline the runtime reports that it could not reach it.
        try:
            device = codex.login_chatgpt_device_code()
        except CodexError as exc:
            print(f"device code: unavailable: {exc}")
        else:
            print(f"device code: visit {device.verification_url} and enter {device.user_code}")
            device.cancel()


if __name__ == "__main__":
    main()
