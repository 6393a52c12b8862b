from allauth.mfa.stages import AuthenticateStage


class SecondFactorStage(AuthenticateStage):
    """allauth's two-factor step, skipped for sign-ins through SURFconext or eduID: the person
    authenticated at their identity provider and is not asked twice."""

    def _should_handle(self, request) -> bool:
        if (self.login.signal_kwargs or {}).get("sociallogin"):
            return False
        return super()._should_handle(request)
